import { describe, expect, it } from 'vitest';
import { archInfo } from '../arch.js';
import { compile } from '../bpf/compiler.js';
import { emulate } from '../bpf/emulator.js';
import { SeccompError } from '../errors.js';
import { importOciSeccomp } from '../oci/import.js';
import { arg, policy } from './builder.js';
import { policyMeaning } from './meaning.js';
import { Act, type Action, actionValue, type Policy } from './model.js';

const I386 = archInfo('i386');
const X86_64 = archInfo('x86_64');
const SOCKETCALL = I386.syscalls.socketcall as number;
const IPC = I386.syscalls.ipc as number;

/** The filter's action and the policy's meaning for one call; they must agree. */
function decide(p: Policy, arch: typeof I386, nr: number, args: bigint[] = []): number {
  const c = compile(p);
  const data = { arch: arch.auditArch, nr, args };
  const value = emulate(c.instructions, data).value;
  expect(value).toBe(actionValue(policyMeaning(c.resolved, data)));
  return value;
}
const v = (a: Action) => actionValue(a);

describe('socket and System V IPC calls on i386 also cover socketcall and ipc', () => {
  it('a rule for socket covers socketcall(SYS_SOCKET) on i386 and nothing extra on x86_64', () => {
    const p = policy(Act.allow, ['x86_64', 'i386']).errno(1, 'socket').build();
    expect(decide(p, I386, SOCKETCALL, [1n])).toBe(v(Act.errno(1)));
    expect(decide(p, I386, I386.syscalls.socket as number)).toBe(v(Act.errno(1)));
    expect(decide(p, I386, SOCKETCALL, [3n])).toBe(v(Act.allow)); // SYS_CONNECT
    expect(decide(p, X86_64, X86_64.syscalls.socket as number)).toBe(v(Act.errno(1)));
    expect(decide(p, X86_64, 102, [1n])).toBe(v(Act.allow)); // 102 is getuid on x86_64
  });

  it('calls that i386 has only multiplexed (accept, send, recv, semop, semtimedop) resolve there', () => {
    const p = policy(Act.allow, ['i386']).errno(1, 'accept', 'send', 'recv', 'semop', 'semtimedop').build();
    for (const n of [5n, 9n, 10n]) expect(decide(p, I386, SOCKETCALL, [n])).toBe(v(Act.errno(1)));
    for (const n of [1n, 4n]) expect(decide(p, I386, IPC, [n])).toBe(v(Act.errno(1)));
    expect(decide(p, I386, IPC, [2n])).toBe(v(Act.allow));
  });

  it('ipc compares only the low 16 bits of its call, as the kernel reads them', () => {
    const p = policy(Act.allow, ['i386']).errno(1, 'shmat').build();
    expect(decide(p, I386, IPC, [21n])).toBe(v(Act.errno(1)));
    expect(decide(p, I386, IPC, [0x10015n])).toBe(v(Act.errno(1))); // IPCCALL(1, SHMAT)
    expect(decide(p, I386, IPC, [22n])).toBe(v(Act.allow));
  });

  it('argument conditions: argument 0 becomes the call selector, the others stay (libseccomp semantics)', () => {
    const p = policy(Act.allow, ['i386']).rule('connect', Act.errno(13), arg(0).eq(7), arg(2).eq(16)).build();
    expect(decide(p, I386, SOCKETCALL, [3n, 0x1000n, 16n])).toBe(v(Act.errno(13)));
    expect(decide(p, I386, SOCKETCALL, [3n, 0x1000n, 15n])).toBe(v(Act.allow));
    expect(decide(p, I386, SOCKETCALL, [7n, 0x1000n, 16n])).toBe(v(Act.allow)); // SYS_GETPEERNAME
    expect(decide(p, I386, I386.syscalls.connect as number, [7n, 0n, 16n])).toBe(v(Act.errno(13)));
    expect(decide(p, I386, I386.syscalls.connect as number, [3n, 0n, 16n])).toBe(v(Act.allow));
  });

  it('an unconditional socketcall rule decides every socketcall (libseccomp order); under first-match a later one only what earlier rules left', () => {
    const first = policy(Act.errno(1), ['i386']).errno(13, 'socketcall').allow('socket').build();
    expect(decide(first, I386, SOCKETCALL, [1n])).toBe(v(Act.errno(13)));
    expect(decide(first, I386, I386.syscalls.socket as number)).toBe(v(Act.allow));
    const later = policy(Act.errno(1), ['i386']).allow('socket').errno(13, 'socketcall');
    expect(decide(later.build(), I386, SOCKETCALL, [1n])).toBe(v(Act.errno(13))); // as libseccomp 2.5.4 decides
    expect(decide(later.build(), I386, I386.syscalls.socket as number)).toBe(v(Act.allow));
    const firstMatch = later.ruleOrder('first-match').build();
    expect(decide(firstMatch, I386, SOCKETCALL, [1n])).toBe(v(Act.allow));
    expect(decide(firstMatch, I386, SOCKETCALL, [2n])).toBe(v(Act.errno(13)));
  });

  it('a socketcall rule that compares the same call as a socket rule with another action is a conflict', () => {
    const p = policy(Act.allow, ['i386']).errno(1, 'socket').rule('socketcall', Act.errno(13), arg(0).eq(1)).build();
    try {
      compile(p);
      expect.unreachable('compile accepted a conflicting policy');
    } catch (e) {
      expect(e).toBeInstanceOf(SeccompError);
      expect((e as SeccompError).field).toBe('rules[1]');
      expect((e as SeccompError).hint).toMatch(/socketcall/);
    }
  });

  it('an OCI profile with SCMP_ARCH_X86 denying socket and connect denies their socketcall forms', () => {
    const { policy: p } = importOciSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [{ names: ['socket', 'connect'], action: 'SCMP_ACT_ERRNO' }],
    });
    for (const n of [1n, 3n]) expect(decide(p, I386, SOCKETCALL, [n])).toBe(v(Act.errno(1)));
    expect(decide(p, I386, SOCKETCALL, [2n])).toBe(v(Act.allow));
  });
});
