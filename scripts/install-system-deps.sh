#!/usr/bin/env bash
# Installs the Debian packages kc's build, tests, demo and benchmarks need.
# Idempotent: packages already present are not reinstalled, and `apt-get update`
# runs only when something is missing.
set -euo pipefail
# step_note/step_doing: the result and progress shown by scripts/setup.sh.
. "$(dirname "$0")/lib/steps.sh"

PACKAGES=(
  # build
  build-essential python3 pkg-config git ca-certificates xz-utils file
  # the linux-arm64 prebuild (scripts/prebuild.sh cross-compiles it)
  g++-aarch64-linux-gnu
  # peers and oracles
  runc crun bubblewrap util-linux iproute2 libcap2-bin libcap-dev
  libseccomp-dev seccomp python3-seccomp cgroup-tools podman containerd containernetworking-plugins
  busybox-static uidmap strace procps psmisc
  # VM lane
  qemu-system-x86 linux-image-amd64 cpio kmod
  # CRIU 4.x source build dependencies (see scripts/install-criu.sh)
  protobuf-c-compiler libprotobuf-c-dev libprotobuf-dev protobuf-compiler
  libnl-3-dev libnet1-dev libbsd-dev libgnutls28-dev libnftables-dev
  python3-protobuf uuid-dev libaio-dev iptables
  # benchmarks
  hyperfine librsvg2-bin
  # @kc/seccomp syscall tables of non-native arches (scripts/gen-syscall-tables.ts)
  linux-libc-dev-arm64-cross linux-libc-dev-armhf-cross linux-libc-dev-riscv64-cross
)

# One dpkg-query for all of them (one per package took seconds on a busy
# machine); it exits 1 when it knows some name not at all, which counts as missing.
declare -A installed=()
while read -r name status; do
  if [ "$status" = "install ok installed" ]; then installed[$name]=1; fi
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
missing=()
for p in "${PACKAGES[@]}"; do
  if [ -z "${installed[$p]:-}" ]; then missing+=("$p"); fi
done

if [ ${#missing[@]} -eq 0 ]; then
  step_note "all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "system deps: missing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
step_doing "updating apt's package lists"
apt-get update -qq
step_doing "installing ${#missing[@]} Debian packages with apt-get"
apt-get install -y -qq --no-install-recommends "${missing[@]}"
step_note "installed ${#missing[@]} packages; all ${#PACKAGES[@]} present"
