#!/usr/bin/env bash
# The whole test suite, from a fresh clone, as root on Debian: sets up what it
# needs (scripts/setup.sh), typechecks, then runs every lane this machine can:
#   unit  - pure TypeScript, no privileges
#   host  - kernel effects on this machine (root)
#   vm-*  - the cgroup suites and the attack suite's device and cgroup cases
#           inside Debian's 6.1 kernel under qemu, once with cgroup2 alone
#           (unified) and once with v1 hierarchies alone (legacy); the
#           container runtime on cgroup2 alone (vm-container); the systemd
#           cgroup driver under systemd 252 (vm-systemd); CRIU's pre-dump and
#           lazy pages (vm-criu)
# and ends with one line: "N passed, N failed, N skipped" over all lanes.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

out=.cache/test-results
rm -rf "$out"
mkdir -p "$out"
reports=()
totals_args=()
status=0

# In the test command a tool the setup installs (busybox, runc, criu, gcc,
# python3-seccomp, ...) must be there: its probe throws instead of skipping
# (test-support/tools.ts). Skips stay for missing kernel features only.
export KC_TEST_REQUIRE_TOOLS=1
# One seed per run for the property-based suites (test-support/seed.ts): it rotates, and this
# line says how to replay a failure.
export KC_FC_SEED=${KC_FC_SEED:-$(( $(date +%s) % 2147483648 ))}
echo "fuzz seed: $KC_FC_SEED (replay: KC_FC_SEED=$KC_FC_SEED bash scripts/test.sh)"

# What each lane covers, printed with its header; each lane's duration is printed when it ends.
declare -A LANE_COVERS=(
  [typecheck]="tsc over every package, test, example and script"
  [lint]="Biome over the tree"
  [docs]="typedoc: the API site builds and every export is documented"
  [unit]="pure TypeScript, no privileges: parsers, compilers, emulators, validation, the totals script"
  [host]="kernel effects on this host, as root: spawn, cgroups, namespaces, seccomp, caps, CRIU, containers against runc, podman and containerd, the attack suite"
  [leak-sweep]="nothing the host lane made is left: cgroups at every depth, mounts, netns, links, state roots, processes"
  [vm-unified]="Debian 6.1 under qemu, cgroup v2 only: cgroup suites, eBPF device programs, the device and cgroup attacks"
  [vm-legacy]="Debian 6.1 under qemu, cgroup v1 only: cgroup suites, the device and cgroup attacks"
  [vm-container]="Debian 6.1 under qemu, cgroup v2 only: the container runtime beside runc (runc spec bundle, lifecycle, CLI, hooks, devices, ownership, update)"
  [vm-systemd]="Debian 6.1 under qemu, systemd 252 managing cgroup2 alone: the systemd cgroup driver over D-Bus, alone and under kc (--systemd-cgroup, podman, containerd)"
  [vm-criu]="Debian 6.1 under qemu: CRIU's iterative pre-dump and lazy pages"
)
lane_name='' lane_t0=0
lane_done() {
  [ -n "$lane_name" ] && printf '   (lane %s took %d s)\n' "$lane_name" $(($(date +%s) - lane_t0))
  lane_name=''
}
lane() {
  lane_done
  lane_name=$1 lane_t0=$(date +%s)
  printf '\n== lane: %s: %s\n' "$1" "${LANE_COVERS[$1]:-}"
}
# check NAME COMMAND...: a pass/fail step that is not a test runner.
check() {
  local name=$1 rc=0
  shift
  "$@" || rc=$?
  [ "$rc" = 0 ] || { echo "$name: FAILED (exit $rc)"; status=1; }
  totals_args+=(--check "$name=$rc")
}
# vitest_lane NAME ARGS...: one vitest project; the JSON report, the run record
# (unhandled errors: scripts/vitest-run-reporter.mjs) and the exit code go to the totals.
vitest_lane() {
  local name=$1 rc=0
  shift
  lane "$name"
  pnpm exec vitest run "$@" --reporter=default --reporter=json --outputFile="$out/$name.json" \
    --reporter=./scripts/vitest-run-reporter.mjs || rc=$?
  [ "$rc" = 0 ] || { echo "lane $name: FAILED (vitest exited $rc)"; status=1; }
  reports+=("$out/$name.json")
  totals_args+=(--exit "$name=$rc")
}

lane typecheck
check typecheck pnpm exec tsc -p tsconfig.json --noEmit

lane lint
lint() { pnpm exec biome check . >/dev/null 2>&1 || { pnpm exec biome check . 2>&1 | tail -n 40; return 1; }; }
check lint lint

lane docs
# The API site must build and every export must be documented (typedoc validation).
docs() { bash scripts/docs.sh >/dev/null 2>&1 || { head -n 40 .cache/docs/validation.txt 2>/dev/null; return 1; }; }
check docs docs

vitest_lane unit --project unit

if [ "$(id -u)" = 0 ]; then
  # The host lane changes kernel state; anything it leaves behind fails the run.
  node scripts/leak-sweep.mjs snapshot "$out/leak-sweep.before.json"
  vitest_lane host --project host
  lane leak-sweep
  check leak-sweep node scripts/leak-sweep.mjs compare "$out/leak-sweep.before.json"
else
  echo "not root: the host and VM lanes need root; not running them"
  totals_args+=(--not-run host --not-run vm-unified --not-run vm-legacy --not-run vm-container --not-run vm-systemd --not-run vm-criu)
fi

# vm_lane NAME MODE FILES...: the guest's report, run record and exit code (scripts/vm/test.sh).
vm_lane() {
  local name=$1 mode=$2 rc=0
  shift 2
  lane "$name"
  bash scripts/vm/test.sh --mode "$mode" --report "$out/$name.json" -- "$@" || rc=$?
  [ "$rc" = 0 ] || { echo "lane $name: FAILED (scripts/vm/test.sh exited $rc)"; status=1; }
  reports+=("$out/$name.json")
  totals_args+=(--exit "$name=$rc")
}

if [ "$(id -u)" = 0 ]; then
  # The cgroup suites (v2 device programs included), and the attack suite's device and cgroup cases with
  # runc as the control: on a v2-only host kc's device rules are an eBPF program, on a v1-only one files.
  vm_attacks=(reliability/attacks/devices.privileged.test.ts reliability/attacks/cgroups.privileged.test.ts)
  vm_lane vm-unified unified packages/cgroups/test scripts/vm/selftest.vm.test.ts "${vm_attacks[@]}"
  vm_lane vm-legacy legacy packages/cgroups/test scripts/vm/selftest.vm.test.ts "${vm_attacks[@]}"
  # The runtime on a cgroup2-only host (every current distribution): a default `runc spec` bundle beside runc,
  # the lifecycle, the CLI, hooks, device defaults, cgroup ownership and update, on the cgroup2 files.
  vm_lane vm-container unified packages/container/test/{runc-parity,container,cli,device-defaults,side-by-side,hooks,rootfs,cgroup-ownership,update}.privileged.test.ts
  # systemd 252 as the guest's manager on cgroup2 alone, with the system bus: the systemd cgroup driver,
  # alone and under @kc/container (`--systemd-cgroup`, slice:prefix:name paths, podman --cgroup-manager=systemd
  # with update, pause and checkpoint/restore beside runc, containerd's runc shim with kc as the binary and
  # --runc-systemd-cgroup).
  vm_lane vm-systemd systemd packages/cgroups/test/systemd.privileged.test.ts packages/container/test/{systemd-cgroup,podman-systemd,containerd}.privileged.test.ts scripts/vm/selftest.vm.test.ts
  # CRIU's iterative pre-dump needs soft-dirty tracking and its lazy page server CAP_SYS_RESOURCE:
  # the 6.1 guest has both, this host neither.
  vm_lane vm-criu unified packages/criu/test/predump.privileged.test.ts packages/criu/test/lazy-pages.privileged.test.ts
fi

lane_done
printf '\n== totals\n'
# Fewer files or tests in a lane than scripts/test-expectations.json records fails the run too.
node scripts/test-totals.mjs ${totals_args[@]+"${totals_args[@]}"} "${reports[@]}" || status=1
exit $status
