#!/usr/bin/env bash
# Makes sure a working CRIU >= 4.0 is on PATH, for @kc/criu's host lane.
#
# Idempotent and cached:
#   1. a `criu` >= 4.0 on PATH whose `criu check` passes: nothing to do;
#   2. a packaged CRIU >= 4.0 (Debian 13, Ubuntu 24.04): install it with apt;
#   3. Debian 12: its packaged criu 3.17 fails on recent kernels ("vdso:
#      Unexpected rt vDSO area bounds"), so build Debian trixie's 4.1.1 source
#      (orig tarball only) and install the binary to /usr/local/sbin/criu.
# The source tarball and the build tree are cached in $KC_CRIU_CACHE
# (default /var/cache/kc-criu), so a second run after a wipe of /usr/local
# rebuilds without the network.
#
# kc applies its own small patches (scripts/criu-patches/*.patch) before
# building: 4.1.1 cannot dump TCP sockets on Linux >= 6.16, where
# getsockopt(SO_PASSCRED) fails with EOPNOTSUPP on inet sockets (CRIU issue
# #2705, fixed upstream after 4.1.1). A build is stamped with the patches'
# hash, so changing a patch rebuilds.
#
# Needs root (apt, /usr/local). Environment: KC_CRIU_CACHE, KC_CRIU_PREFIX.
set -euo pipefail
# step_note/step_doing: the result and progress shown by scripts/setup.sh.
. "$(dirname "$0")/lib/steps.sh"

CRIU_VERSION=4.1.1
CRIU_ORIG=criu_${CRIU_VERSION}.orig.tar.xz
CRIU_SHA256=f80a66cb3726bb2116266d4759ce3bcbfab7abdb6b6d430bf20dd41911717afe
CACHE=${KC_CRIU_CACHE:-/var/cache/kc-criu}
PREFIX=${KC_CRIU_PREFIX:-/usr/local/sbin}

PATCH_DIR=$(cd "$(dirname "$0")" && pwd)/criu-patches
STAMP="$CRIU_VERSION $(cat "$PATCH_DIR"/*.patch 2>/dev/null | sha256sum | cut -c1-16)"

log() { echo "install-criu: $*"; }

# Prints the major version of the criu at $1, or 0.
criu_major() {
  local v
  v=$("$1" --version 2>/dev/null | sed -n 's/^Version: *\([0-9][0-9]*\)\..*/\1/p' | head -n1)
  echo "${v:-0}"
}

# Prints the version of the criu at $1 ("4.1.1").
criu_version() { "$1" --version 2>/dev/null | sed -n 's/^Version: *//p' | head -n1; }

# True when $1 is a CRIU >= 4 that passes `criu check` on this kernel.
criu_works() {
  [ -x "$1" ] || return 1
  [ "$(criu_major "$1")" -ge 4 ] || return 1
  "$1" check >/dev/null 2>&1
}

# Our own build counts only when it was built from the current patches.
ours_current() { [ "$(cat "$CACHE/installed.stamp" 2>/dev/null)" = "$STAMP" ]; }

existing=$(command -v criu || true)
if [ -n "$existing" ] && criu_works "$existing"; then
  if [ "$(readlink -f "$existing")" != "$(readlink -f "$PREFIX/criu")" ] || ours_current; then
    step_note "CRIU $(criu_version "$existing") already installed at $existing; 'criu check' passes"
    exit 0
  fi
  log "$existing was built from older kc patches: rebuilding"
elif criu_works "$PREFIX/criu" && ours_current; then
  step_note "CRIU $(criu_version "$PREFIX/criu") already installed, but $PREFIX is not on PATH; add it"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-criu: must run as root (apt and $PREFIX)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

# 2. A packaged CRIU >= 4.0 (no trixie source entry involved: only the
#    distribution's own suites are consulted).
candidate=$(apt-cache policy criu 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9][0-9]*\)\..*/\1/p' | head -n1)
if [ "${candidate:-0}" -ge 4 ] 2>/dev/null; then
  step_doing "installing Debian's criu package (major $candidate)"
  apt-get install -y -qq --no-install-recommends criu
  if criu_works "$(command -v criu)"; then
    step_note "installed Debian's CRIU $(criu_version "$(command -v criu)"); 'criu check' passes"
    exit 0
  fi
  log "packaged criu fails 'criu check'; building from source instead"
fi

. /etc/os-release
if [ "${ID:-}" != debian ]; then
  echo "install-criu: no CRIU >= 4.0 available and no source recipe for ${PRETTY_NAME:-this OS}; install CRIU >= 4.0 by hand" >&2
  exit 1
fi

# 3. Build trixie's source on Debian 12.
# (Its result is not this step's: no note from it.)
KC_STEP_NOTE= bash "$(dirname "$0")/install-system-deps.sh"
mkdir -p "$CACHE"
cd "$CACHE"

sha_ok() { [ -f "$CRIU_ORIG" ] && echo "$CRIU_SHA256  $CRIU_ORIG" | sha256sum -c --status; }

if ! sha_ok; then
  # deb-src for trixie, pinned to -1 so no binary package is ever taken from it.
  src=/etc/apt/sources.list.d/kc-trixie-src.sources
  pin=/etc/apt/preferences.d/kc-trixie-src
  if [ ! -f "$src" ]; then
    cat >"$src" <<'EOF'
# Added by kc scripts/install-criu.sh: source packages only, to build CRIU 4.x.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  if [ ! -f "$pin" ]; then
    cat >"$pin" <<'EOF'
# Added by kc scripts/install-criu.sh: never install anything from trixie.
Package: *
Pin: release n=trixie
Pin-Priority: -1
EOF
  fi
  step_doing "downloading the CRIU $CRIU_VERSION source with apt-get"
  apt-get update -qq
  # The .dsc fetch fails on bookworm's apt (exit 100) but the orig tarball
  # arrives first and is all the build needs; its checksum is verified below.
  set +e
  apt-get source --download-only "criu/trixie" >apt-source.log 2>&1
  rc=$?
  set -e
  if ! sha_ok; then
    cat apt-source.log >&2
    echo "install-criu: apt-get source exited $rc and $CACHE/$CRIU_ORIG is missing or has the wrong sha256" >&2
    exit 1
  fi
  log "fetched $CRIU_ORIG (apt-get exit $rc, sha256 ok)"
fi

tree=criu-$CRIU_VERSION
if [ ! -x "$tree/criu/criu" ] || [ "$(cat "$tree/.kc-stamp" 2>/dev/null)" != "$STAMP" ]; then
  rm -rf "$tree"
  tar xf "$CRIU_ORIG"
  for p in "$PATCH_DIR"/*.patch; do
    [ -e "$p" ] || continue
    log "applying $(basename "$p")"
    (cd "$tree" && git apply -p1 "$p")
  done
  step_doing "building CRIU $CRIU_VERSION with make"
  make -C "$tree" -j"$(nproc)" criu >"$CACHE/build.log" 2>&1 || {
    tail -n 40 "$CACHE/build.log" >&2
    echo "install-criu: build failed; full log in $CACHE/build.log" >&2
    exit 1
  }
  echo "$STAMP" >"$tree/.kc-stamp"
fi
install -D -m 0755 "$tree/criu/criu" "$PREFIX/criu"
if ! "$PREFIX/criu" check >"$CACHE/check.log" 2>&1; then
  cat "$CACHE/check.log" >&2
  echo "install-criu: $PREFIX/criu was built but 'criu check' fails on this kernel" >&2
  exit 1
fi
echo "$STAMP" >"$CACHE/installed.stamp"
step_note "installed CRIU $(criu_version "$PREFIX/criu") at $PREFIX/criu; 'criu check' passes"
