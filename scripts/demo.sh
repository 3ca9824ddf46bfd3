#!/usr/bin/env bash
# The main demo: sets up what it needs (scripts/setup.sh), then runs a real
# container composed from every kc package and prints what each primitive did.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/tmp/kc-demo-setup.log 2>&1 || { cat /tmp/kc-demo-setup.log; exit 1; }
exec pnpm exec tsx examples/demo.ts "$@"
