import type { ArchName } from '../arch.js';

/**
 * What the kernel does with a system call (seccomp(2), "Filter return values").
 * `errno` is 0..4095; `trace` and `trap` carry 16 bits of data.
 */
export type Action =
  | {
      /** SECCOMP_RET_KILL_PROCESS (Linux 4.14): the whole process dies as if by SIGSYS, dumping core. */
      kind: 'kill_process';
    }
  | {
      /** SECCOMP_RET_KILL_THREAD (value 0): only the calling thread dies as if by SIGSYS; other threads run on. */
      kind: 'kill_thread';
    }
  | {
      /** SECCOMP_RET_TRAP: the call is not run; the thread gets SIGSYS (`si_syscall`, `si_arch` and `si_call_addr` set). */
      kind: 'trap';
      /** 0..65535, delivered in the SIGSYS `si_errno`; absent means 0. */
      data?: number;
    }
  | {
      /** SECCOMP_RET_ERRNO: the call is not run and returns -1 with `errno` set. */
      kind: 'errno';
      /** The errno to return, 0..4095 (MAX_ERRNO); 0 makes the call seem to succeed with result 0. */
      errno: number;
    }
  | {
      /** SECCOMP_RET_USER_NOTIF (Linux 5.0): the thread waits for the listener fd's supervisor; ENOSYS when there is none. */
      kind: 'user_notif';
    }
  | {
      /** SECCOMP_RET_TRACE: a ptrace tracer gets PTRACE_EVENT_SECCOMP; without a tracer the call fails with ENOSYS. */
      kind: 'trace';
      /** 0..65535, read by the tracer with PTRACE_GETEVENTMSG. */
      data: number;
    }
  | {
      /** SECCOMP_RET_LOG (Linux 4.14): the call runs and is logged (audit or kernel log, per /proc/sys/kernel/seccomp/actions_logged). */
      kind: 'log';
    }
  | {
      /** SECCOMP_RET_ALLOW: the call runs. */
      kind: 'allow';
    };

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
  /** How `args[index]` (masked, for `masked_eq`) is compared with `value`, unsigned. */
  op: ArgOp;
  /** The operand, 0..2^64-1 (for `masked_eq` the value the masked argument must equal). */
  value: bigint;
  /** Only for `masked_eq`. */
  mask?: bigint;
}

/** One rule: when `syscall` is called and every comparison holds, take `action`. */
export interface Rule {
  /**
   * System-call name as in kc's tables (e.g. `openat`), resolved to a number per
   * arch. On i386 a socket or System V IPC call (`socket`, `connect`, `semop`,
   * `shmat`...) also covers its multiplexed form, `socketcall(SYS_SOCKET, …)` or
   * `ipc(SEMOP, …)`, with argument 0 tested as the call (as libseccomp does);
   * comparisons of the real arguments cannot be checked there.
   */
  syscall: string;
  /** What the kernel does when the rule matches. */
  action: Action;
  /** All must hold (AND). Several rules for one syscall combine as {@link Policy.ruleOrder} says. */
  args?: readonly ArgComparison[];
  /** Limit the rule to some of the policy's arches (e.g. `arch_prctl` only on x86). Default: all. */
  arches?: readonly ArchName[];
}

/**
 * A complete seccomp policy: the input of {@link compile}.
 *
 * Meaning: for a call on one of `arches`, the rules for that system call
 * decide as {@link Policy.ruleOrder} says (by default as libseccomp: an
 * unconditional rule wins, else the first conditional rule whose comparisons
 * all hold); if none does, `defaultAction` applies, except that numbers newer than `enosysAfter` that no rule names
 * return ENOSYS. Calls from another architecture get `badArchAction`.
 */
export interface Policy {
  /** For a call of one of `arches` that no rule decides (and that `enosysAfter` does not cover). */
  defaultAction: Action;
  /** Architectures the filter accepts; the first should be the native one (it is tested first). */
  arches: readonly ArchName[];
  /**
   * The rules. How several rules for one system call combine is set by
   * {@link Policy.ruleOrder}; two with different actions that compare exactly
   * the same arguments conflict (compile throws).
   */
  rules: readonly Rule[];
  /**
   * How several rules for one system call decide (default `'libseccomp'`):
   * - `'libseccomp'`: as libseccomp (and so runc and crun) builds a filter, the
   *   first rule without argument conditions decides every call of that
   *   syscall, wherever it stands; the other rules of the syscall are shadowed
   *   (listed in `shadowed` of the compiled filter, never an error). Without an
   *   unconditional rule, the conditional rules are tried in order.
   * - `'first-match'`: the first rule in order whose comparisons hold decides;
   *   a rule after an unconditional one with another action is a conflict.
   */
  ruleOrder?: RuleOrder;
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

/** How a policy's rules for one system call combine: see {@link Policy.ruleOrder}. */
export type RuleOrder = 'libseccomp' | 'first-match';

/** Constructors for {@link Action}s. */
export const Act = {
  /** Kill the whole process (SECCOMP_RET_KILL_PROCESS, Linux 4.14). */
  killProcess: { kind: 'kill_process' } as Action,
  /** Kill only the calling thread (SECCOMP_RET_KILL_THREAD). */
  killThread: { kind: 'kill_thread' } as Action,
  /** Send SIGSYS with `data` (0..65535) in `si_errno` (SECCOMP_RET_TRAP). */
  trap: (data = 0): Action => ({ kind: 'trap', data }),
  /** Fail the call with `errno` (0..4095) without running it (SECCOMP_RET_ERRNO). */
  errno: (errno: number): Action => ({ kind: 'errno', errno }),
  /** Hand the call to the user-notification supervisor (SECCOMP_RET_USER_NOTIF, Linux 5.0). */
  userNotif: { kind: 'user_notif' } as Action,
  /** Stop for the ptrace tracer with `data` (0..65535) as event message; ENOSYS without one (SECCOMP_RET_TRACE). */
  trace: (data = 0): Action => ({ kind: 'trace', data }),
  /** Run and log the call (SECCOMP_RET_LOG, Linux 4.14). */
  log: { kind: 'log' } as Action,
  /** Run the call (SECCOMP_RET_ALLOW). */
  allow: { kind: 'allow' } as Action,
} as const;

/** `SECCOMP_RET_*` values (include/uapi/linux/seccomp.h). */
export const SECCOMP_RET = {
  /** Kill the process (Linux 4.14); compared as a signed value, it is the most restrictive action. */
  KILL_PROCESS: 0x80000000,
  /** Kill the calling thread; also called SECCOMP_RET_KILL. */
  KILL_THREAD: 0x00000000,
  /** SIGSYS to the thread; the low 16 bits go to `si_errno`. */
  TRAP: 0x00030000,
  /** Fail with the errno in the low 16 bits (the kernel caps it at 4095). */
  ERRNO: 0x00050000,
  /** Forward to the listener fd's supervisor (Linux 5.0). */
  USER_NOTIF: 0x7fc00000,
  /** Notify the ptrace tracer, with the low 16 bits as event message. */
  TRACE: 0x7ff00000,
  /** Allow and log (Linux 4.14). */
  LOG: 0x7ffc0000,
  /** Allow. */
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
