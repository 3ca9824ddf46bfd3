#!/usr/bin/env bash
# The main demo: sets up what it needs (scripts/setup.sh: one line per step,
# details in its log), then runs a real container composed from every kc
# package and prints what each primitive did.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "demo: starting examples/demo.ts"
exec pnpm exec tsx examples/demo.ts "$@"
