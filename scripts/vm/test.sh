#!/usr/bin/env bash
# kc VM lane: run vitest test files inside the Debian 6.1 guest.
#
#   bash scripts/vm/test.sh --mode unified|legacy|systemd [options] -- FILE|DIR|GLOB...
#
# Options:
#   --mode M        cgroup layout in the guest (see run.sh)
#   --timeout S     kill the guest after S seconds (default 900); exit 124
#   --report FILE   write vitest's JSON report there (test file names are the
#                   original sources); without it only the summary is printed
#   --pool P        forks (default, like the host lane) or threads
#   --no-bundle     run plain `vitest run --project host FILES` in the guest
#                   (vitest transforms the TypeScript there: 2-3x slower;
#                   for tests that vi.mock() workspace modules)
#   --mem, --smp, --env, --verbose   passed to run.sh
#
# The fast path: the test files are bundled on the host into ESM JavaScript
# (scripts/vm/bundle-tests.mjs, esbuild), and the guest runs vitest through
# its Node API with no config file, Node's native import (no Vite transform),
# one forked worker and no isolation (scripts/vm/guest-vitest.mjs).
# README.md has the measurements and the limits (vi.mock of workspace
# modules needs --no-bundle).
#
# Output: vitest's own console report on stdout/stderr, then one summary line
#   kc-vm test <mode>: files F, tests T: P passed, F failed, S skipped, D todo
# on stderr. Exit status: vitest's (0 when all passed), 124 on timeout, 125
# when the lane failed (no report came back), 2 on bad usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd -P)

mode= timeout=900 report= pool=forks bundle=1
run_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --mode) mode=${2:-}; shift 2 ;;
    --timeout) timeout=${2:-}; shift 2 ;;
    --report) report=${2:-}; shift 2 ;;
    --pool) pool=${2:-}; shift 2 ;;
    --no-bundle) bundle=0; shift ;;
    --mem | --smp | --env) run_args+=("$1" "${2:-}"); shift 2 ;;
    --verbose) run_args+=("$1"); shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
    --) shift; break ;;
    -*) echo "kc-vm test: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
  esac
done
case $mode in unified | legacy | systemd) ;; *) echo "kc-vm test: --mode must be unified, legacy or systemd" >&2; exit 2 ;; esac
case $pool in forks | threads) ;; *) echo "kc-vm test: --pool must be forks or threads" >&2; exit 2 ;; esac
[ $# -gt 0 ] || { echo "kc-vm test: no test files given (after --)" >&2; exit 2; }

# Files, directories (every *.test.{ts,mts,js,mjs} below) and globs, relative
# to the current directory or absolute.
shopt -s nullglob globstar
files=()
for pattern in "$@"; do
  matched=0
  for p in $pattern; do
    if [ -d "$p" ]; then
      while IFS= read -r f; do files+=("$(realpath "$f")"); matched=1; done \
        < <(find "$p" -name node_modules -prune -o -type f -regextype posix-extended -regex '.*\.test\.[cm]?[jt]s' -print | sort)
    elif [ -f "$p" ]; then
      files+=("$(realpath "$p")")
      matched=1
    fi
  done
  [ "$matched" = 1 ] || { echo "kc-vm test: '$pattern' matches no test file" >&2; exit 2; }
done
shopt -u nullglob globstar
mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -v '\.vm\.mjs$' | sort -u)
[ ${#files[@]} -gt 0 ] || { echo "kc-vm test: no test files" >&2; exit 2; }

# The work directory is shared read-write with the guest at the same path.
work=$(mktemp -d "${TMPDIR:-/tmp}/kc-vm-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ "$bundle" = 1 ]; then
  node "$here/bundle-tests.mjs" --repo "$repo" --out "$work/bundles" "${files[@]}" >"$work/manifest" \
    || { echo "kc-vm test: bundling the test files failed" >&2; exit 125; }
  guest=(node "$here/guest-vitest.mjs" --root "$repo" --manifest "$work/manifest" --report "$work/report.json"
    --copies "$work/copies" --pool "$pool")
else
  guest=(node "$repo/node_modules/vitest/vitest.mjs" run --project host --pool "$pool"
    --reporter=default --reporter=json "--outputFile.json=$work/report.json"
    "--reporter=$repo/scripts/vitest-run-reporter.mjs" "${files[@]}")
fi

rc=0
bash "$here/run.sh" --mode "$mode" --timeout "$timeout" --out "$work" --cwd "$repo" \
  ${run_args[@]+"${run_args[@]}"} --env "KC_VM_TEST_TIMEOUT=${KC_VM_TEST_TIMEOUT:-60000}" \
  --env "KC_TEST_REQUIRE_TOOLS=${KC_TEST_REQUIRE_TOOLS:-0}" -- "${guest[@]}" || rc=$?

if [ ! -s "$work/report.json" ]; then
  echo "kc-vm test $mode: no JSON report came back from the guest (exit $rc)" >&2
  [ "$rc" = 0 ] && rc=125
  exit "$rc"
fi

# Name the original sources in the report and print the totals.
node - "$work/report.json" "$work/copies" "${report:-}" "$mode" <<'EOF' || { [ "$rc" = 0 ] && rc=125; }
const fs = require('node:fs');
const [reportFile, copiesFile, target, mode] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
const rename = new Map();
if (fs.existsSync(copiesFile)) {
  for (const line of fs.readFileSync(copiesFile, 'utf8').split('\n')) {
    const [copy, source] = line.split('\t');
    if (copy && source) rename.set(copy, source);
  }
}
const count = { passed: 0, failed: 0, skipped: 0, todo: 0 };
for (const file of report.testResults ?? []) {
  if (rename.has(file.name)) file.name = rename.get(file.name);
  for (const t of file.assertionResults ?? []) {
    if (t.status === 'passed') count.passed++;
    else if (t.status === 'failed') count.failed++;
    else if (t.status === 'todo') count.todo++;
    else count.skipped++; // 'skipped' and 'pending'
  }
  // A file that failed to load has no assertions but counts as a failure.
  if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) count.failed++;
}
report.kcVmLane = { mode, ...count };
if (target) fs.writeFileSync(target, `${JSON.stringify(report, null, 2)}\n`);
// The run record (scripts/vitest-run-reporter.mjs) goes beside the report, with the same names.
const runFile = reportFile.replace(/\.json$/, '.run.json');
if (target && fs.existsSync(runFile)) {
  const run = JSON.parse(fs.readFileSync(runFile, 'utf8'));
  for (const e of run.moduleErrors ?? []) if (rename.has(e.file)) e.file = rename.get(e.file);
  fs.writeFileSync(target.replace(/\.json$/, '.run.json'), `${JSON.stringify(run, null, 2)}\n`);
}
const files = (report.testResults ?? []).length;
const total = count.passed + count.failed + count.skipped + count.todo;
console.error(`kc-vm test ${mode}: files ${files}, tests ${total}: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped, ${count.todo} todo`);
EOF
exit "$rc"
