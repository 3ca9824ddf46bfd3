import type { ArchName } from '../arch.js';

/**
 * What the kernel does with a system call (seccomp(2), "Filter return values").
 * `errno` is 0..4095; `trace` and `trap` carry 16 bits of data.
 */
export type Action =
  | { kind: 'kill_process' }
  | { kind: 'kill_thread' }
  | { kind: 'trap'; data?: number }
  | { kind: 'errno'; errno: number }
  | { kind: 'user_notif' }
  | { kind: 'trace'; data: number }
  | { kind: 'log' }
  | { kind: 'allow' };

/** Comparison operators on a 64-bit argument, unsigned, as libseccomp's `SCMP_CMP_*`. */
export type ArgOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'masked_eq';

/**
 * One test of a system-call argument: `args[index] op value`, or for
 * `masked_eq`, `(args[index] & mask) == value`. Values are unsigned 64-bit; on
 * 32-bit ABIs (i386, arm) only the low 32 bits of argument, value and mask count.
 */
export interface ArgComparison {
  /** Argument position, 0..5. */
  index: number;
  op: ArgOp;
  value: bigint;
  /** Only for `masked_eq`. */
  mask?: bigint;
}

/** One rule: when `syscall` is called and every comparison holds, take `action`. */
export interface Rule {
  syscall: string;
  action: Action;
  /** All must hold (AND). Several rules for one syscall are tried in order (OR). */
  args?: ArgComparison[];
  /** Limit the rule to some of the policy's arches (e.g. `arch_prctl` only on x86). Default: all. */
  arches?: ArchName[];
}

/**
 * A complete seccomp policy: the input of {@link compile}.
 *
 * Meaning: for a call on one of `arches`, the first rule (in order) for that
 * system call whose comparisons all hold decides; if none does, `defaultAction`
 * applies, except that numbers newer than `enosysAfter` that no rule names
 * return ENOSYS. Calls from another architecture get `badArchAction`.
 */
export interface Policy {
  defaultAction: Action;
  /** Architectures the filter accepts; the first should be the native one (it is tested first). */
  arches: ArchName[];
  rules: Rule[];
  /** For calls of an architecture not in `arches`. Default: kill_process. */
  badArchAction?: Action;
  /**
   * The newest system call the policy was written for. Unnamed numbers above
   * it (up to 1023 past the arch's base) return ENOSYS so that libc falls back
   * (e.g. glibc from clone3 to clone), instead of the default action's EPERM.
   */
  enosysAfter?: string;
  /** What to do with a rule naming a syscall an arch lacks: `'error'` (default) or silently `'skip'` it on that arch. */
  unknownSyscalls?: 'error' | 'skip';
}

/** Constructors for {@link Action}s. */
export const Act = {
  killProcess: { kind: 'kill_process' } as Action,
  killThread: { kind: 'kill_thread' } as Action,
  trap: (data = 0): Action => ({ kind: 'trap', data }),
  errno: (errno: number): Action => ({ kind: 'errno', errno }),
  userNotif: { kind: 'user_notif' } as Action,
  trace: (data = 0): Action => ({ kind: 'trace', data }),
  log: { kind: 'log' } as Action,
  allow: { kind: 'allow' } as Action,
} as const;

/** `SECCOMP_RET_*` values (include/uapi/linux/seccomp.h). */
export const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  USER_NOTIF: 0x7fc00000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

/** The 32-bit value a filter returns for `action`. */
export function actionValue(action: Action): number {
  switch (action.kind) {
    case 'kill_process':
      return SECCOMP_RET.KILL_PROCESS;
    case 'kill_thread':
      return SECCOMP_RET.KILL_THREAD;
    case 'trap':
      return (SECCOMP_RET.TRAP | ((action.data ?? 0) & 0xffff)) >>> 0;
    case 'errno':
      return (SECCOMP_RET.ERRNO | (action.errno & 0xffff)) >>> 0;
    case 'user_notif':
      return SECCOMP_RET.USER_NOTIF;
    case 'trace':
      return (SECCOMP_RET.TRACE | (action.data & 0xffff)) >>> 0;
    case 'log':
      return SECCOMP_RET.LOG;
    case 'allow':
      return SECCOMP_RET.ALLOW;
  }
}

/** The {@link Action} a filter return value stands for (the kernel's decoding, kernel/seccomp.c). */
export function actionFromValue(value: number): Action {
  const v = value >>> 0;
  const data = v & 0xffff;
  switch ((v & 0xffff0000) >>> 0) {
    case SECCOMP_RET.KILL_THREAD:
      return Act.killThread;
    case SECCOMP_RET.TRAP:
      return Act.trap(data);
    case SECCOMP_RET.ERRNO:
      return Act.errno(data);
    case SECCOMP_RET.USER_NOTIF:
      return Act.userNotif;
    case SECCOMP_RET.TRACE:
      return Act.trace(data);
    case SECCOMP_RET.LOG:
      return Act.log;
    case SECCOMP_RET.ALLOW:
      return Act.allow;
    default:
      // Unknown actions act as KILL_PROCESS (seccomp(2)).
      return Act.killProcess;
  }
}

/** A short readable name of an action: `allow`, `errno(1)`, `trace(7)`. */
export function formatAction(a: Action): string {
  if (a.kind === 'errno') return `errno(${a.errno})`;
  if (a.kind === 'trace') return `trace(${a.data})`;
  if (a.kind === 'trap' && a.data) return `trap(${a.data})`;
  return a.kind;
}
