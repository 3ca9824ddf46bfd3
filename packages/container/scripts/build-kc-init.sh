#!/usr/bin/env bash
# Builds kc-init (native/tools/kc-init.c), the static helper every kc container
# starts with, into native/build/kc-init. Static, so it runs in any rootfs.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
src="$root/native/tools/kc-init.c"
out="$root/native/build/kc-init"
mkdir -p "$root/native/build"
if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
  ${CC:-cc} -static -O2 -Wall -Wextra -o "$out.tmp.$$" "$src"
  mv -f "$out.tmp.$$" "$out"
fi
echo "kc-init: $out"
