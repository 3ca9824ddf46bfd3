#!/usr/bin/env bash
# The whole test suite, from a fresh clone, as root on Debian: sets up what it
# needs (scripts/setup.sh), typechecks, then runs every lane this machine can:
#   unit  - pure TypeScript, no privileges
#   host  - kernel effects on this machine (root)
#   vm-*  - the cgroup suites inside Debian's 6.1 kernel under qemu, once with
#           cgroup2 alone (unified) and once with v1 hierarchies alone (legacy)
# and ends with one line: "N passed, N failed, N skipped" over all lanes.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

out=.cache/test-results
rm -rf "$out"
mkdir -p "$out"
reports=()
status=0
extra_failed=0

lane() { printf '\n== lane: %s\n' "$1"; }

lane typecheck
if ! pnpm exec tsc -p tsconfig.json --noEmit; then
  echo "typecheck failed"
  status=1
  extra_failed=$((extra_failed + 1))
fi

lane lint
if ! pnpm exec biome check . >/dev/null 2>&1; then
  pnpm exec biome check . 2>&1 | tail -n 40
  echo "lint failed"
  status=1
  extra_failed=$((extra_failed + 1))
fi

lane docs
# The API site must build and every export must be documented (typedoc validation).
if ! bash scripts/docs.sh >/dev/null 2>&1; then
  echo "docs failed: see .cache/docs/validation.txt"
  head -n 40 .cache/docs/validation.txt 2>/dev/null
  status=1
  extra_failed=$((extra_failed + 1))
fi

lane unit
pnpm exec vitest run --project unit --reporter=default --reporter=json --outputFile="$out/unit.json" || status=1
reports+=("$out/unit.json")

if [ "$(id -u)" = 0 ]; then
  lane host
  pnpm exec vitest run --project host --reporter=default --reporter=json --outputFile="$out/host.json" || status=1
  reports+=("$out/host.json")
else
  echo "not root: the host and VM lanes need root; skipping them"
fi

if [ "$(id -u)" = 0 ] && [ -f scripts/vm/test.sh ]; then
  for mode in unified legacy; do
    lane "vm-$mode"
    bash scripts/vm/test.sh --mode "$mode" --report "$out/vm-$mode.json" -- packages/cgroups/test scripts/vm/selftest.vm.test.ts || status=1
    reports+=("$out/vm-$mode.json")
  done
  # CRIU's iterative pre-dump needs soft-dirty tracking and its lazy page server CAP_SYS_RESOURCE:
  # the 6.1 guest has both, this host neither.
  lane vm-criu
  bash scripts/vm/test.sh --mode unified --report "$out/vm-criu.json" -- packages/criu/test/predump.privileged.test.ts packages/criu/test/lazy-pages.privileged.test.ts || status=1
  reports+=("$out/vm-criu.json")
fi

printf '\n== totals\n'
KC_EXTRA_FAILED=$extra_failed node scripts/test-totals.mjs "${reports[@]}" || status=1
exit $status
