#!/usr/bin/env bash
# Packages the addon with prebuildify into native/prebuilds/<platform>-<arch>/:
# Node-API builds, one binary for every Node version. Builds linux-x64 natively
# and linux-arm64 with Debian's cross compiler (g++-aarch64-linux-gnu) when it
# is installed. Works in a scratch copy so native/build (the development build)
# is never replaced by a foreign-architecture binary. Uses the headers that ship
# with the running Node: the machines cannot download them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [ -f "$prefix/include/node/node_api.h" ]; then export npm_config_nodedir="$prefix"; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/native/binding.gyp" "$root/native/package.json" "$root/native/include" "$root/native/src" "$root/native/binding" "$work/"
ln -s "$root/node_modules" "$work/node_modules"
export NODE_PATH="$root/native/node_modules"
cd "$work"
target=$(node -v | tr -d v)
prebuildify="$root/node_modules/.bin/prebuildify"
# node-addon-api is resolved from the package's own node_modules.
ln -sfn "$root/native/node_modules/node-addon-api" "$work/node_modules/node-addon-api" 2>/dev/null || true
"$prebuildify" --napi --strip --target "$target"
if command -v aarch64-linux-gnu-g++ >/dev/null; then
  CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ \
    "$prebuildify" --napi --strip --target "$target" --arch arm64 --strip-bin aarch64-linux-gnu-strip 2>&1 | tail -n 2 || echo "arm64 cross build failed"
fi
rm -rf "$root/native/prebuilds"
cp -r prebuilds "$root/native/prebuilds"
(cd "$root/native" && find prebuilds -name '*.node' -exec file {} \;)
