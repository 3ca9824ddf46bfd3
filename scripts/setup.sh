#!/usr/bin/env bash
# Everything kc needs on a fresh Debian machine (as root), idempotently:
# Debian packages, pnpm, node modules, the native addon and every package's
# build, and CRIU >= 4. Each step is skipped when already satisfied.
#
# Prints one line per step with its elapsed time (progress while a step runs;
# scripts/lib/steps.sh); each step's own output goes to the log,
# $KC_SETUP_LOG (default /tmp/kc-setup.log), whose path and the failing step's
# last lines are printed when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/steps.sh

PNPM_VERSION=12.4.2

pnpm_step() {
  if [ "$(pnpm --version 2>/dev/null || true)" = "$PNPM_VERSION" ]; then
    step_note "pnpm $PNPM_VERSION already installed"
    return
  fi
  step_doing "installing pnpm $PNPM_VERSION with npm"
  npm install -g --no-fund --no-audit "pnpm@$PNPM_VERSION"
  step_note "installed pnpm $(pnpm --version)"
}

node_modules_step() {
  # @kc/native's install script builds the addon with node-gyp: point it at the
  # headers that ship with this Node (nothing can be downloaded here).
  local node_prefix out="$STEPS_TMP/pnpm-install.out" change
  node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  if [ -f "$node_prefix/include/node/node_api.h" ]; then export npm_config_nodedir="$node_prefix"; fi
  step_doing "installing node modules with pnpm"
  pnpm install --frozen-lockfile --reporter=append-only 2>&1 | tee "$out"
  # pnpm prints "Packages: +N -M" only when it links or removes something.
  change=$(sed -n 's/^Packages: *//p' "$out" | head -n 1)
  if [ -n "$change" ]; then step_note "packages $change"; else step_note "node modules already up to date"; fi
}

native_step() {
  local addon=native/build/Release/kc.node before after
  before=$(stat -c %y "$addon" 2>/dev/null || true)
  step_doing "compiling the addon with node-gyp"
  bash scripts/build-native.sh
  after=$(stat -c %y "$addon" 2>/dev/null || true)
  if [ "$before" = "$after" ]; then step_note "$addon already up to date"; else step_note "built $addon"; fi
}

packages_step() {
  local out="$STEPS_TMP/turbo.out" tasks cached
  step_doing "building every package with turbo"
  pnpm exec turbo run build --output-logs=errors-only 2>&1 | tee "$out"
  tasks=$(sed -n 's/^ *Tasks: *\([0-9]*\) successful.*/\1/p' "$out" | head -n 1)
  cached=$(sed -n 's/^ *Cached: *\([0-9]*\) cached.*/\1/p' "$out" | head -n 1)
  if [ -z "$tasks" ]; then return 0; fi
  if [ "$cached" = "$tasks" ]; then
    step_note "all $tasks builds up to date in turbo's cache"
  else
    step_note "$((tasks - ${cached:-0})) of $tasks builds ran, ${cached:-0} from turbo's cache"
  fi
}

steps_begin setup "${KC_SETUP_LOG:-${TMPDIR:-/tmp}/kc-setup.log}"
step "Debian packages" bash scripts/install-system-deps.sh
step "pnpm" pnpm_step
step "node modules" node_modules_step
step "native addon" native_step
step "packages" packages_step
step "CRIU" bash scripts/install-criu.sh
steps_end
