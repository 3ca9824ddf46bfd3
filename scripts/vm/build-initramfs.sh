#!/usr/bin/env bash
# Builds (or reuses) the VM lane's boot files and prints their paths:
#
#   KC_VM_KERNEL=<kernel image to pass to qemu -kernel>
#   KC_VM_INITRAMFS=<uncompressed cpio archive>
#   KC_VM_KVER=<kernel release, e.g. 6.1.0-56-amd64>
#
# The initramfs holds a static busybox, the guest init (scripts/vm/init) and
# the kernel modules the guest needs (decompressed: insmod in busybox reads
# plain .ko files). It lives in the cache directory and is rebuilt only when
# an input changes: the key is a sha256 over this script, the init script,
# the busybox binary, the kernel release and every module file used.
# Idempotent and safe to run concurrently (flock on the cache directory).
#
# Kernel: the newest /boot/vmlinuz-6.1.* (override with KC_VM_KERNEL_IMAGE).
# When the kernel has CONFIG_PVH=y, the uncompressed vmlinux is extracted
# from the bzImage once and cached: qemu boots an ELF vmlinux through its PVH
# entry point, which skips the in-guest xz decompression of the bzImage
# (about 1.5 s under software emulation). KC_VM_PVH=0 turns that off.
#
# Cache directory: $KC_VM_CACHE_DIR, else $XDG_CACHE_HOME/kc-vm, else
# ~/.cache/kc-vm.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${KC_VM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kc-vm}

# Guest modules, in insmod order (dependencies first). A module built into
# the kernel is skipped; one that is neither built in nor present is an error.
MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
  netfs fscache 9pnet 9pnet_virtio 9p overlay)

die() { echo "kc-vm: $*" >&2; exit 1; }

image=${KC_VM_KERNEL_IMAGE:-}
if [ -z "$image" ]; then
  image=$(ls -1 /boot/vmlinuz-6.1.* 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$image" ] || die "no /boot/vmlinuz-6.1.* found: install the Debian package linux-image-amd64 (scripts/install-system-deps.sh)"
fi
[ -r "$image" ] || die "kernel image $image is not readable"
kver=${image##*/vmlinuz-}
moddir=/lib/modules/$kver
[ -d "$moddir" ] || die "no $moddir for kernel $image"
busybox=${KC_VM_BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] && "$busybox" true 2>/dev/null || die "$busybox is missing: install busybox-static"
# The initramfs has no libc: busybox must have no PT_INTERP program header.
has_interp() { # ELF64 little-endian: e_phoff at 0x20, e_phentsize 0x36, e_phnum 0x38
  local phoff phentsize phnum i
  phoff=$(od -An -tu8 -j32 -N8 "$1" | tr -d ' ')
  phentsize=$(od -An -tu2 -j54 -N2 "$1" | tr -d ' ')
  phnum=$(od -An -tu2 -j56 -N2 "$1" | tr -d ' ')
  for ((i = 0; i < phnum; i++)); do
    [ "$(od -An -tu4 -j$((phoff + i * phentsize)) -N4 "$1" | tr -d ' ')" = 3 ] && return 0
  done
  return 1
}
! has_interp "$busybox" || die "$busybox is dynamically linked: install busybox-static"

for tool in cpio xz sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-system-deps.sh installs it)"
done

# Resolve each module to its file, from modules.dep / modules.builtin so that
# no depmod or modinfo run is needed.
mod_files=()
mod_names=()
for m in "${MODULES[@]}"; do
  rel=$(awk -F: -v m="$m" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n); if (n == m) { print $1; exit } }' "$moddir/modules.dep")
  if [ -n "$rel" ]; then
    mod_files+=("$moddir/$rel")
    mod_names+=("$m")
  elif grep -Eq "/${m//_/[-_]}\.ko\$" "$moddir/modules.builtin" 2>/dev/null; then
    : # built in: nothing to load
  else
    die "kernel module $m is neither in $moddir/modules.dep nor built in"
  fi
done

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

key=$( {
  echo "kver=$kver modules=${mod_names[*]}"
  sha256sum "${BASH_SOURCE[0]}" "$here/init" "$busybox" "$image" "${mod_files[@]}" | cut -d' ' -f1
} | sha256sum | cut -c1-16)
initramfs=$cache/initramfs-$kver-$key.cpio

if [ ! -s "$initramfs" ]; then
  stage=$(mktemp -d "$cache/stage.XXXXXX")
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage"/{bin,dev,proc,sys,tmp,run,lower,rw,newroot,ctl,etc/kc-vm,lib/modules}
  cp "$busybox" "$stage/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
  done
  install -m 0755 "$here/init" "$stage/init"
  for i in "${!mod_files[@]}"; do
    f=${mod_files[$i]}
    out=$stage/lib/modules/${mod_names[$i]}.ko
    case $f in
      *.ko.xz) xz -dc "$f" >"$out" ;;
      *.ko.zst) zstd -qdc "$f" >"$out" ;;
      *.ko.gz) gzip -dc "$f" >"$out" ;;
      *) cp "$f" "$out" ;;
    esac
  done
  printf '%s\n' "${mod_names[@]}" >"$stage/etc/kc-vm/modules"
  echo "$kver" >"$stage/etc/kc-vm/kver"
  # The kernel opens /dev/console for init's stdio before devtmpfs is mounted.
  mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
  # Uncompressed: unpacking is cheaper than decompressing under emulation.
  (cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$initramfs.tmp"
  mv -f "$initramfs.tmp" "$initramfs"
  # Drop archives built from older inputs.
  for old in "$cache"/initramfs-*.cpio; do
    [ "$old" = "$initramfs" ] || rm -f "$old"
  done
  echo "kc-vm: built $initramfs" >&2
fi

kernel=$image
if [ "${KC_VM_PVH:-1}" = 1 ] && grep -qx 'CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null; then
  img_key=$(sha256sum "$image" | cut -c1-16)
  vmlinux=$cache/vmlinux-$kver-$img_key
  if [ ! -s "$vmlinux" ]; then
    # The bzImage payload is an xz stream (CONFIG_KERNEL_XZ): find its magic
    # and decompress from there (what the kernel's scripts/extract-vmlinux does).
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$image" | head -n 1 | cut -d: -f1 || true)
    if [ -n "$off" ]; then
      # xz complains about the bytes after the stream; the output is whole.
      tail -c +$((off + 1)) "$image" | xz -dcq >"$vmlinux.tmp" 2>/dev/null || true
      if [ "$(head -c 4 "$vmlinux.tmp" | tail -c 3)" = ELF ]; then
        mv -f "$vmlinux.tmp" "$vmlinux"
        for old in "$cache"/vmlinux-*; do
          [ "$old" = "$vmlinux" ] || rm -f "$old"
        done
      fi
    fi
    rm -f "$vmlinux.tmp"
  fi
  [ -s "$vmlinux" ] && kernel=$vmlinux
fi

echo "KC_VM_KERNEL=$kernel"
echo "KC_VM_INITRAMFS=$initramfs"
echo "KC_VM_KVER=$kver"
