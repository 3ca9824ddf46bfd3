#!/usr/bin/env bash
# Runs every benchmark suite (bench/*.ts: kc beside the real peers, in one run
# each; as root), then prints ONE combined table (bench/summary.ts, which also
# writes bench/results/summary.json) and draws the spawn latency chart
# (bench/chart.ts -> bench/results/spawn-latency.svg).
#
#   bash scripts/bench.sh [SUITE...]     e.g. bash scripts/bench.sh spawn cgroups
#
# Each suite prints its own table and writes bench/results/<suite>.json (the
# schema in DESIGN.md) and, when it keeps samples, <suite>.samples.json. A
# suite that fails is reported and the others still run; the exit status is 1
# when any failed. Environment: RUNS=N is passed to the suites that read it.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ $# -gt 0 ]; then
  suites=("$@")
else
  suites=()
  for f in bench/*.ts; do
    name=$(basename "$f" .ts)
    case $name in summary | chart) continue ;; esac
    suites+=("$name")
  done
fi

failed=()
for s in "${suites[@]}"; do
  printf '\n== bench: %s\n' "$s"
  args=()
  if [ -n "${RUNS:-}" ]; then args=(--runs "$RUNS"); fi
  if ! pnpm exec tsx "bench/$s.ts" "${args[@]}"; then
    failed+=("$s")
  fi
done

printf '\n== bench: summary\n'
pnpm exec tsx bench/summary.ts || failed+=(summary)
pnpm exec tsx bench/chart.ts || failed+=(chart)

if [ ${#failed[@]} -gt 0 ]; then
  echo "bench: failed: ${failed[*]}"
  exit 1
fi
echo "bench: ${#suites[@]} suites; results in bench/results/"
