import type { ArchInfo } from '../arch.js';
import { IPC_CALL_MASK, IPC_CALLS, SOCKETCALL_CALLS } from '../tables/multiplexed.js';
import type { NormalizedArg } from './validate.js';

/** Where a rule's system call is also reachable through a multiplexer on one arch. */
export interface MultiplexedForm {
  /** The multiplexing system call. */
  via: 'socketcall' | 'ipc';
  /** Its number on the arch. */
  nr: number;
  /** The test of argument 0 that selects the call: `== SYS_*` for socketcall, `& 0xffff == call` for ipc. */
  selector: NormalizedArg;
}

const U32 = 0xffffffffn;

/**
 * The multiplexed form of system call `name` on an arch, or undefined when the
 * arch has no multiplexers (all but i386) or `name` is not one of their calls.
 */
export function multiplexedForm(info: ArchInfo, name: string): MultiplexedForm | undefined {
  const m = info.multiplexers;
  if (!m) return undefined;
  if (Object.hasOwn(SOCKETCALL_CALLS, name)) {
    // The kernel rejects any call number outside 1..20 in full (net/socket.c), so equality on the whole word is exact.
    return { via: 'socketcall', nr: m.socketcall, selector: { index: 0, op: 'eq', value: BigInt(SOCKETCALL_CALLS[name] as number), mask: U32 } };
  }
  if (Object.hasOwn(IPC_CALLS, name)) {
    // ipc() ignores the high 16 bits (an old ABI version): libseccomp 2.5.4 compares all 32, so
    // ipc(SEMGET | 1 << 16) slips past its rules for semget; kc masks them.
    return {
      via: 'ipc',
      nr: m.ipc,
      selector: { index: 0, op: 'masked_eq', value: BigInt(IPC_CALLS[name] as number), mask: BigInt(IPC_CALL_MASK) },
    };
  }
  return undefined;
}

/**
 * The comparisons of a rule's multiplexed form. The multiplexed call's own
 * arguments live in user memory a filter cannot read, so, as libseccomp 2.5.4
 * does (src/syscalls.c `abi_rule_add`), the call selector replaces the rule's
 * comparisons of argument 0 and the others are kept as they are: they then
 * test the multiplexer's own registers (for socketcall, argument 1 is the
 * pointer to the real arguments).
 */
export function multiplexedArgs(form: MultiplexedForm, args: readonly NormalizedArg[]): NormalizedArg[] {
  return [form.selector, ...args.filter((a) => a.index !== 0)];
}
