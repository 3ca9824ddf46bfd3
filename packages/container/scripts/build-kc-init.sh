#!/usr/bin/env bash
# Builds kc-init (native/tools/kc-init.c), the static helper every kc container
# starts with, into packages/container/build/kc-init (native/build is recreated
# by node-gyp configure). Static, so it runs in any rootfs.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
src="$root/native/tools/kc-init.c"
out="$root/packages/container/build/kc-init"
mkdir -p "$(dirname "$out")"
if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
  ${CC:-cc} -static -O2 -Wall -Wextra -o "$out.tmp.$$" "$src"
  mv -f "$out.tmp.$$" "$out"
fi
echo "kc-init: $out"
