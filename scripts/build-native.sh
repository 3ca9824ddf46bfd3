#!/usr/bin/env bash
# Builds the addon from source with node-gyp (serialised with flock, so parallel
# builds in one tree never trample each other's build/ directory).
set -euo pipefail
cd "$(dirname "$0")/../native"
# (A caller may hold kc-native-build.lock around this script: lock a file of our own.)
exec 9>"${TMPDIR:-/tmp}/kc-native-build.inner.lock"
flock 9
# Build against the headers that ship with this Node (no download: the
# machines reach only the npm registry and Debian's packages).
prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
gyp_args=()
if [ -f "$prefix/include/node/node_api.h" ]; then gyp_args=(--nodedir="$prefix"); fi
# Re-configure whenever the set of source files changed (binding.gyp globs them).
want=$(ls src/*.c binding/*.cc | sort | tr '\n' ' ')
have=$(cat build/.kc-sources 2>/dev/null || true)
if [ ! -f build/Makefile ] || [ "$want" != "$have" ] || [ binding.gyp -nt build/Makefile ]; then
  ../node_modules/.bin/node-gyp configure "${gyp_args[@]}" >/dev/null 2>&1 || ../node_modules/.bin/node-gyp configure "${gyp_args[@]}"
  echo "$want" > build/.kc-sources
fi
../node_modules/.bin/node-gyp build "${gyp_args[@]}" -j 2 >/dev/null 2>build/.kc-build-errors || { cat build/.kc-build-errors >&2; exit 1; }
echo "native: built build/Release/kc.node"
