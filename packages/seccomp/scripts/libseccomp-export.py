#!/usr/bin/python3
"""Builds a filter with libseccomp (python3-seccomp) and writes its BPF to stdout.

Input (stdin, JSON): {"defaultAction": u32, "badArchAction": u32, "arches": ["x86_64", ...],
  "optimize": 1|2, "rules": [{"syscall": name, "action": u32, "args": [{"index", "op", "value", "mask"}]}]}
Values are decimal strings (64-bit). Used by kc's differential test and benchmark
as the peer implementation; it never decides anything by itself.
"""
import json
import os
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
for r in spec["rules"]:
    if r["action"] == spec["defaultAction"]:
        continue  # libseccomp refuses rules that do what the default does
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
    sys.stdout.buffer.write(out.read())
