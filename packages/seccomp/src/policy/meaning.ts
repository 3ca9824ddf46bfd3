import { X32_SYSCALL_BIT } from '../arch.js';
import type { Action } from './model.js';
import type { NormalizedArg, ResolvedArch, ResolvedPolicy } from './validate.js';

/** `struct seccomp_data` (include/uapi/linux/seccomp.h): what a filter sees. */
export interface SeccompData {
  /** `seccomp_data.nr`: the system-call number, read as unsigned 32-bit (x32 numbers include {@link X32_SYSCALL_BIT}). */
  nr: number;
  /** `AUDIT_ARCH_*` value. */
  arch: number;
  /** `seccomp_data.instruction_pointer`, unsigned 64-bit; absent means 0 (kc's filters never load it). */
  instructionPointer?: bigint;
  /** Up to six unsigned 64-bit arguments; missing ones are 0. */
  args?: readonly bigint[];
}

const ENOSYS = 38;

/** Which of the policy's arches a call belongs to (x32 by bit 30 of the number under AUDIT_ARCH_X86_64). */
export function archOfCall(p: ResolvedPolicy, data: SeccompData): ResolvedArch | undefined {
  // The compiler (like libseccomp) gives x32 every number >= bit 30 under AUDIT_ARCH_X86_64, not only those with bit 30 set.
  const x32 = data.nr >>> 0 >= X32_SYSCALL_BIT;
  return p.arches.find((a) => {
    if (a.info.auditArch !== data.arch >>> 0) return false;
    if (a.info.name === 'x32') return x32;
    if (a.info.name === 'x86_64') return !x32;
    return true;
  });
}

function holds(c: NormalizedArg, raw: bigint, bits: 32 | 64): boolean {
  const v = bits === 32 ? raw & 0xffffffffn : raw;
  switch (c.op) {
    case 'eq':
      return v === c.value;
    case 'ne':
      return v !== c.value;
    case 'lt':
      return v < c.value;
    case 'le':
      return v <= c.value;
    case 'gt':
      return v > c.value;
    case 'ge':
      return v >= c.value;
    case 'masked_eq':
      return (v & c.mask) === c.value;
  }
}

/**
 * The action a policy means for one call, computed directly from the rules
 * (no BPF): the reference the compiler is property-tested against. On i386,
 * the copies {@link resolvePolicy} makes of socket and System V IPC rules for
 * `socketcall`/`ipc` (argument 0 = the call) are rules like any other here.
 */
export function policyMeaning(p: ResolvedPolicy, data: SeccompData): Action {
  const arch = archOfCall(p, data);
  if (!arch) return p.badArchAction;
  const nr = data.nr >>> 0;
  const rules = arch.rules.get(nr);
  if (rules) {
    for (const r of rules) {
      if (r.args.every((c) => holds(c, data.args?.[c.index] ?? 0n, arch.info.argBits))) return r.action;
    }
    return p.defaultAction;
  }
  if (arch.enosysRanges.some(([s, e]) => nr >= s && nr < e)) {
    return { kind: 'errno', errno: ENOSYS };
  }
  return p.defaultAction;
}
