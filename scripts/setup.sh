#!/usr/bin/env bash
# Everything kc needs on a fresh Debian machine (as root), idempotently:
# Debian packages, pnpm, node modules, the native addon and every package's
# build, and CRIU >= 4. Each step is skipped when already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2

step() { printf '\n== setup: %s\n' "$*"; }

step "Debian packages"
bash scripts/install-system-deps.sh

step "pnpm $PNPM_VERSION"
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  npm install -g --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
fi
pnpm --version

step "node modules"
# @kc/native's install script builds the addon with node-gyp: point it at the
# headers that ship with this Node (nothing can be downloaded here).
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [ -f "$node_prefix/include/node/node_api.h" ]; then export npm_config_nodedir="$node_prefix"; fi
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | tail -n 3

step "build (native addon + every package)"
bash scripts/build-native.sh
pnpm exec turbo run build --output-logs=errors-only

if [ -f scripts/install-criu.sh ]; then
  step "CRIU"
  bash scripts/install-criu.sh
fi
