#!/usr/bin/env bash
# Packages the addon with prebuildify into native/prebuilds/<platform>-<arch>/
# (a Node-API build: one binary for every Node version). Uses the headers that
# ship with the running Node, since the machines cannot download them.
set -euo pipefail
cd "$(dirname "$0")/../native"
prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [ -f "$prefix/include/node/node_api.h" ]; then export npm_config_nodedir="$prefix"; fi
exec 9>"${TMPDIR:-/tmp}/kc-native-build.lock"
flock 9
../node_modules/.bin/prebuildify --napi --strip --target "$(node -v | tr -d v)" "$@"
# prebuildify rebuilt build/ for packaging; leave a normal build in place for development.
rm -f build/.kc-sources
ls -R prebuilds | sed -n '1,6p'
