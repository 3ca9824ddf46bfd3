#!/usr/bin/env bash
# Builds kc-init (native/tools/kc-init.c), the static helper every kc container
# starts with:
#   build/kc-init                  for this machine (development; not published)
#   prebuilds/linux-x64/kc-init    published in the npm package, picked by
#   prebuilds/linux-arm64/kc-init  process.arch (src/internal/kc-init.ts)
# x64 with the system C compiler, arm64 with Debian's cross compiler
# (gcc-aarch64-linux-gnu) when it is installed. Static and stripped, so it
# runs in any rootfs and needs nothing from the consumer's machine.
# Options: --dev-only builds build/kc-init alone.
set -euo pipefail
pkg="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$pkg/../.." && pwd)"
src="$root/native/tools/kc-init.c"

# compile CC OUT: rebuilds OUT when it is missing or older than the source.
compile() {
  local cc=$1 out=$2
  mkdir -p "$(dirname "$out")"
  if [ ! -x "$out" ] || [ "$src" -nt "$out" ] || [ "$0" -nt "$out" ]; then
    "$cc" -static -s -O2 -Wall -Wextra -o "$out.tmp.$$" "$src"
    mv -f "$out.tmp.$$" "$out"
  fi
  echo "kc-init: $out"
}

cc=${CC:-cc}
compile "$cc" "$pkg/build/kc-init"
[ "${1:-}" = --dev-only ] && exit 0

case $(uname -m) in
  x86_64) native=x64 ;;
  aarch64) native=arm64 ;;
  *) native= ;;
esac
if [ -n "$native" ]; then
  compile "$cc" "$pkg/prebuilds/linux-$native/kc-init"
fi
if [ "$native" != arm64 ]; then
  if command -v aarch64-linux-gnu-gcc >/dev/null; then
    compile aarch64-linux-gnu-gcc "$pkg/prebuilds/linux-arm64/kc-init"
  else
    echo "kc-init: no aarch64-linux-gnu-gcc (apt-get install gcc-aarch64-linux-gnu): prebuilds/linux-arm64 not built" >&2
  fi
fi
if [ "$native" != x64 ] && command -v x86_64-linux-gnu-gcc >/dev/null; then
  compile x86_64-linux-gnu-gcc "$pkg/prebuilds/linux-x64/kc-init"
fi
