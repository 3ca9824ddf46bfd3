#!/usr/bin/env bash
# kc VM lane: run one command in a Debian 6.1 guest with a chosen cgroup mode.
#
#   bash scripts/vm/run.sh --mode unified|legacy|systemd [options] -- COMMAND [ARGS...]
#
# Options:
#   --mode M          unified (cgroup2 alone, every controller enabled in the
#                     root's subtree_control), legacy (v1 hierarchies alone),
#                     or systemd (unified, with Debian's systemd running as
#                     PID 1 of a pid namespace and the system D-Bus up; the
#                     command runs inside that namespace)
#   --timeout S       kill the guest after S seconds (default 600); exit 124
#   --mem SIZE        guest memory (default 3G)
#   --smp N           guest CPUs (default 2)
#   --cwd DIR         working directory in the guest (default: the current one)
#   --env NAME=VALUE  add to the command's environment (repeatable)
#   --out DIR         share host directory DIR read-write with the guest, at
#                     the same path (created if missing); everything else the
#                     guest writes lands in a tmpfs and is discarded
#   --kernel-log F    keep the guest's kernel log in F (it is printed anyway
#                     when the guest fails to report an exit status)
#   --verbose         full kernel log level, and boot/run timings on stderr
#
# The command runs as root in the guest with the host's / (read-only over 9p,
# with a tmpfs overlay on top), the same working directory, and an
# environment of PATH, HOME, LANG and, when set, CI, NO_COLOR, FORCE_COLOR
# (from the host), KC_VM_LANE=<mode>, plus --env. Its stdin is /dev/null; its stdout and stderr are pipes whose bytes
# reach this script's stdout and stderr. The exit status is the command's,
# or 124 when the timeout fired, or 125 when the lane itself failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

mode= timeout=600 mem=3G smp=2 cwd=$PWD out= kernel_log= verbose=0
envs=()
usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --mode) mode=${2:-}; shift 2 ;;
    --mode=*) mode=${1#*=}; shift ;;
    --timeout) timeout=${2:-}; shift 2 ;;
    --timeout=*) timeout=${1#*=}; shift ;;
    --mem) mem=${2:-}; shift 2 ;;
    --mem=*) mem=${1#*=}; shift ;;
    --smp) smp=${2:-}; shift 2 ;;
    --smp=*) smp=${1#*=}; shift ;;
    --cwd) cwd=${2:-}; shift 2 ;;
    --cwd=*) cwd=${1#*=}; shift ;;
    --env) envs+=("${2:-}"); shift 2 ;;
    --env=*) envs+=("${1#*=}"); shift ;;
    --out) out=${2:-}; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    --kernel-log) kernel_log=${2:-}; shift 2 ;;
    --kernel-log=*) kernel_log=${1#*=}; shift ;;
    --verbose) verbose=1; shift ;;
    -h | --help) usage ;;
    --) shift; break ;;
    *) echo "kc-vm: unknown option '$1' (the command goes after --)" >&2; usage ;;
  esac
done
[ $# -gt 0 ] || { echo "kc-vm: no command given (put it after --)" >&2; usage; }
case $mode in unified | legacy | systemd) ;; *) echo "kc-vm: --mode must be unified, legacy or systemd, not '$mode'" >&2; exit 2 ;; esac
[[ $timeout =~ ^[0-9]+$ ]] && [ "$timeout" -gt 0 ] || { echo "kc-vm: --timeout must be a positive number of seconds" >&2; exit 2; }
[[ $smp =~ ^[0-9]+$ ]] || { echo "kc-vm: --smp must be a number" >&2; exit 2; }
for e in ${envs[@]+"${envs[@]}"}; do
  [[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || { echo "kc-vm: --env needs NAME=VALUE, not '$e'" >&2; exit 2; }
done
cwd=$(cd "$cwd" && pwd -P) || { echo "kc-vm: --cwd: no such directory" >&2; exit 2; }
# The guest has its own /tmp and /run: a working directory there (a clone in
# /tmp, as CI may make) is carried over from the host's root by the init.
keep=
case $cwd/ in /tmp/?* | /run/?*) keep=$cwd ;; esac
case $cwd/ in /proc/* | /sys/* | /dev/*)
  echo "kc-vm: working directory $cwd is not visible in the guest (it has its own /proc, /sys, /dev); use --cwd" >&2
  exit 2 ;;
esac
if [ -n "$out" ]; then
  mkdir -p "$out"
  out=$(cd "$out" && pwd -P)
  case $out in / | /proc | /proc/* | /sys | /sys/* | /dev | /dev/*) echo "kc-vm: --out $out cannot be shared" >&2; exit 2 ;; esac
fi
command -v qemu-system-x86_64 >/dev/null || { echo "kc-vm: qemu-system-x86_64 is missing (scripts/install-system-deps.sh installs qemu-system-x86)" >&2; exit 125; }

t0=$(date +%s.%N)
boot=$(bash "$here/build-initramfs.sh") || { echo "kc-vm: could not prepare the kernel and initramfs" >&2; exit 125; }
KC_VM_KERNEL= KC_VM_INITRAMFS=
eval "$boot"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kc-vm.XXXXXX")
qpid= relay_out= relay_err=
cleanup() {
  for p in $qpid $relay_out $relay_err; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "kc-vm: interrupted" >&2; exit 130' INT TERM HUP

mkdir "$tmp/ctl"
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
  echo "KC_VM_MODE=$(q "$mode")"
  echo "KC_VM_OUT=$(q "$out")"
  echo "KC_VM_KEEP=$(q "$keep")"
  # Tuning knobs for the 9p root (see README): cache mode and message size.
  [ -n "${KC_VM_ROOT_CACHE:-}" ] && echo "KC_VM_ROOT_CACHE=$(q "$KC_VM_ROOT_CACHE")"
  [ -n "${KC_VM_MSIZE:-}" ] && echo "KC_VM_MSIZE=$(q "$KC_VM_MSIZE")"
} >"$tmp/ctl/config"
{
  echo "cd $(q "$cwd") || { echo $(q "kc-vm: cannot enter $cwd in the guest") >&2; exit 125; }"
  printf 'exec /usr/bin/env -i --'
  for e in "PATH=${PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}" "HOME=${HOME:-/root}" \
    "LANG=${LANG:-C.UTF-8}" ${CI+"CI=$CI"} ${NO_COLOR+"NO_COLOR=$NO_COLOR"} ${FORCE_COLOR+"FORCE_COLOR=$FORCE_COLOR"} \
    "KC_VM_LANE=$mode" ${envs[@]+"${envs[@]}"}; do
    printf ' %s' "$(q "$e")"
  done
  for a in "$@"; do printf ' %s' "$(q "$a")"; done
  echo
} >"$tmp/ctl/job"

mkfifo "$tmp/stdout" "$tmp/stderr"
cat "$tmp/stdout" &
relay_out=$!
cat "$tmp/stderr" >&2 &
relay_err=$!

loglevel=4
[ "$verbose" = 1 ] && loglevel=7
append="console=ttyS0 rdinit=/init panic=-1 quiet loglevel=$loglevel"
# Under emulation these save boot time: no i8042 probing, no Spectre
# mitigations (the guest runs only our own code).
append+=" i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd mitigations=off tsc=reliable"
# Guest time must be right (tests measure CPU quotas over a second). Under
# TCG the guest's TSC is the host's, but the guest calibrates it against an
# emulated PIT and, on a busy host, gets it wrong by up to 25x: guest clocks
# then run that much fast, and its refinement only fixes errors under 1 %.
# So tell the guest the host's TSC rate: measured once per host boot
# (host-tsc-khz.py), else /proc/cpuinfo's "cpu MHz".
tsc_khz=${KC_VM_TSC_KHZ:-}
if [ -z "$tsc_khz" ]; then
  cache=${KC_VM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kc-vm}
  tsc_file=$cache/tsc-khz-$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
  if [ ! -s "$tsc_file" ]; then
    rm -f "$cache"/tsc-khz-*
    python3 "$here/host-tsc-khz.py" >"$tsc_file.$$" 2>/dev/null && mv -f "$tsc_file.$$" "$tsc_file" || rm -f "$tsc_file.$$"
  fi
  tsc_khz=$(cat "$tsc_file" 2>/dev/null || awk -F': *' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo 2>/dev/null || true)
fi
[ -n "$tsc_khz" ] && [ "$tsc_khz" -gt 0 ] && append+=" tsc_early_khz=$tsc_khz"

fs() { # id path readonly
  local ro=
  [ "$3" = 1 ] && ro=,readonly=on
  echo "-fsdev local,id=$1,path=$2,security_model=none,multidevs=remap$ro -device virtio-9p-pci,fsdev=$1,mount_tag=$1"
}
# shellcheck disable=SC2046
qemu-system-x86_64 -nodefaults -no-user-config -display none -monitor none -no-reboot \
  -machine pc -accel tcg,thread=multi -cpu max -smp "$smp" -m "$mem" \
  -kernel "$KC_VM_KERNEL" -initrd "$KC_VM_INITRAMFS" -append "$append" \
  -serial "file:$tmp/kernel.log" \
  -chardev "file,id=out,path=$tmp/stdout" -serial chardev:out \
  -chardev "file,id=err,path=$tmp/stderr" -serial chardev:err \
  $(fs kcroot / 1) $(fs kcctl "$tmp/ctl" 0) ${out:+$(fs kcout "$out" 0)} ${KC_VM_QEMU_ARGS:-} \
  </dev/null >"$tmp/qemu.log" 2>&1 &
qpid=$!

# Wait for qemu, up to the timeout. `read -t` on a FIFO nobody writes is a
# sleep without a child process.
mkfifo "$tmp/tick"
exec 8<>"$tmp/tick"
deadline=$((SECONDS + timeout))
timed_out=0
while kill -0 "$qpid" 2>/dev/null; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    timed_out=1
    kill -TERM "$qpid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qpid" 2>/dev/null || break; read -r -t 0.5 -u 8 _ || true; done
    kill -KILL "$qpid" 2>/dev/null || true
    break
  fi
  read -r -t 0.1 -u 8 _ || true
done
wait "$qpid" 2>/dev/null || true
exec 8>&-
qpid=
# The relays end at EOF once qemu closed the FIFOs (or never opened them).
for _ in $(seq 20); do
  kill -0 "$relay_out" 2>/dev/null || kill -0 "$relay_err" 2>/dev/null || break
  sleep 0.1
done
t1=$(date +%s.%N)

[ -n "$kernel_log" ] && cp "$tmp/kernel.log" "$kernel_log"
show_logs() {
  sed -i '/terminating on signal 15 from pid/d' "$tmp/qemu.log"
  if [ -s "$tmp/qemu.log" ]; then
    echo "kc-vm: qemu said:" >&2
    sed 's/^/  /' "$tmp/qemu.log" >&2
  fi
  if [ -s "$tmp/kernel.log" ]; then
    echo "kc-vm: last lines of the guest kernel log:" >&2
    tail -n 30 "$tmp/kernel.log" | tr -d '\r' | sed 's/^/  /' >&2
  fi
}

if [ "$timed_out" = 1 ]; then
  echo "kc-vm: TIMEOUT: the $mode guest did not finish within ${timeout}s and was killed (command: $*)" >&2
  show_logs
  exit 124
fi
if [ ! -s "$tmp/ctl/rc" ]; then
  echo "kc-vm: the $mode guest stopped without reporting an exit status (command: $*)" >&2
  [ -s "$tmp/ctl/init-error" ] && echo "kc-vm: guest init: $(cat "$tmp/ctl/init-error")" >&2
  show_logs
  exit 125
fi
rc=$(cat "$tmp/ctl/rc")
if [ "$verbose" = 1 ]; then
  up0=$(cut -d' ' -f1 "$tmp/ctl/start-uptime" 2>/dev/null || echo '?')
  up1=$(cut -d' ' -f1 "$tmp/ctl/end-uptime" 2>/dev/null || echo '?')
  sd=$(cut -d' ' -f1 "$tmp/ctl/systemd-ready-uptime" 2>/dev/null || true)
  awk -v a="$t0" -v b="$t1" -v u0="$up0" -v u1="$up1" -v m="$mode" -v rc="$rc" -v sd="$sd" 'BEGIN {
    if (sd != "") { printf "kc-vm: %s: systemd running %.2f s after the kernel booted to it (guest clock)\n", m, sd - u0; u0 = sd }
    printf "kc-vm: %s: guest booted to the command in %.2f s (guest clock), command ran %.2f s, %.2f s wall in all; exit %s\n", m, u0, u1 - u0, b - a, rc }' >&2
fi
exit "$rc"
