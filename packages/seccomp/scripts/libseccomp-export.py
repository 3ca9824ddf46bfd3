#!/usr/bin/python3
"""Builds a filter with libseccomp (python3-seccomp) and writes its BPF to stdout.

Input (stdin, JSON): {"defaultAction": u32, "badArchAction": u32, "arches": ["x86_64", ...],
  "optimize": 1|2, "rules": [{"syscall": name, "action": u32, "args": [{"index", "op", "value", "mask"}]}]}
Values are decimal strings (64-bit). A rule carries "numbers" ({arch: nr}, kc's tables):
an unconditional rule for a call this libseccomp does not know (newer than it) is
checked by number in a short prologue before libseccomp's own program, unless
"newerCalls" is "skip" (libseccomp as it is, for instruction counts). Used by kc's differential test and benchmark
as the peer implementation; it never decides anything by itself.
"""
import json
import os
import struct
import sys
import tempfile

import seccomp

ARCH = {"x86_64": seccomp.Arch.X86_64, "i386": seccomp.Arch.X86, "x32": seccomp.Arch.X32,
        "aarch64": seccomp.Arch.AARCH64, "arm": seccomp.Arch.ARM, "riscv64": seccomp.Arch.RISCV64}
OPS = {"eq": seccomp.EQ, "ne": seccomp.NE, "lt": seccomp.LT, "le": seccomp.LE, "gt": seccomp.GT,
       "ge": seccomp.GE, "masked_eq": seccomp.MASKED_EQ}

def s32(v):
    """The Cython binding takes actions as C ints: 0x80000000 (KILL_PROCESS) must be passed as negative."""
    return v - (1 << 32) if v >= (1 << 31) else v


spec = json.load(sys.stdin)
f = seccomp.SyscallFilter(s32(spec["defaultAction"]))
f.set_attr(seccomp.Attr.ACT_BADARCH, s32(spec["badArchAction"]))
f.set_attr(seccomp.Attr.CTL_OPTIMIZE, spec.get("optimize", 1))
native = s32(seccomp.system_arch())
for name in spec["arches"]:
    if s32(ARCH[name] & 0xffffffff) != native:
        f.add_arch(s32(ARCH[name]))
if native not in [s32(ARCH[a] & 0xffffffff) for a in spec["arches"]]:
    f.remove_arch(native)


def knows(arch, name):
    try:
        return seccomp.resolve_syscall(ARCH[arch], name) >= 0
    except Exception:
        return False


# Calls newer than this libseccomp (2.5.4 stops at Linux 6.x) that kc's tables know: libseccomp takes
# them neither by name nor, on an arch other than the host's, by number (it translates numbers through
# the host arch's names). An unconditional rule for one means "this number on this arch: that action",
# so it becomes a check in front of libseccomp's program; a conditional one is refused.
PROLOGUE = []
decided = set()
for r in spec["rules"]:
    if r["action"] == spec["defaultAction"]:
        continue  # libseccomp refuses rules that do what the default does
    for arch, nr in sorted(r.get("numbers", {}).items()):
        if knows(arch, r["syscall"]):
            continue
        if spec.get("newerCalls", "prologue") == "skip":
            continue  # libseccomp as it is: the call gets the default action
        if r["args"]:
            sys.exit(f"libseccomp does not know {r['syscall']} on {arch}: cannot add a rule with arguments for it")
        if (arch, nr) in decided:
            continue  # libseccomp order: the first unconditional rule decides
        decided.add((arch, nr))
        # libseccomp's x32 token (0x4000003e) is not what the kernel reports: x32 calls come as AUDIT_ARCH_X86_64.
        audit = ARCH["x86_64" if arch == "x32" else arch] & 0xffffffff
        PROLOGUE += [(0x20, 0, 0, 4), (0x15, 0, 3, audit), (0x20, 0, 0, 0), (0x15, 0, 1, nr & 0xffffffff), (0x06, 0, 0, r["action"])]
for r in spec["rules"]:
    if r["action"] == spec["defaultAction"]:
        continue
    if not any(knows(a, r["syscall"]) for a in spec["arches"]):
        continue  # in the prologue, or on none of the arches
    args = []
    for a in r["args"]:
        if a["op"] == "masked_eq":
            args.append(seccomp.Arg(a["index"], OPS[a["op"]], int(a["mask"]), int(a["value"])))
        else:
            args.append(seccomp.Arg(a["index"], OPS[a["op"]], int(a["value"])))
    try:
        f.add_rule(s32(r["action"]), r["syscall"], *args)
    except (RuntimeError, ValueError, OSError) as e:
        print(f"skip {r['syscall']}: {e}", file=sys.stderr)
with tempfile.TemporaryFile() as out:
    f.export_bpf(out)
    out.seek(0)
    sys.stdout.buffer.write(b"".join(struct.pack("<HBBI", *ins) for ins in PROLOGUE) + out.read())
