import { describe, expect, it } from 'vitest';
import { compile } from '../bpf/compiler.js';
import { emulate } from '../bpf/emulator.js';
import { importOciSeccomp } from '../oci/import.js';
import { kcDefaultPolicy } from '../profiles/kc-default.js';
import { arg, PolicyBuilder, policy } from './builder.js';
import { policyMeaning } from './meaning.js';
import { Act, type Action, actionValue, type Policy } from './model.js';
import { resolvePolicy } from './validate.js';

const X86_64 = 0xc000003e;
const GETPID = 39;
const SOCKET = 41;

/** The action the compiled filter takes, checked against the policy's meaning. */
function decide(p: Policy, nr: number, args: bigint[] = []): number {
  const c = compile(p);
  const data = { arch: X86_64, nr, args };
  const v = emulate(c.instructions, data).value;
  expect(v).toBe(actionValue(policyMeaning(c.resolved, data)));
  return v;
}
const v = (a: Action) => actionValue(a);

describe("rule order 'libseccomp' (the default): the first unconditional rule decides the syscall", () => {
  it.each([
    ['conditional first', policy(Act.killProcess).rule('getpid', Act.allow, arg(0).eq(1)).errno(5, 'getpid')],
    ['unconditional first', policy(Act.killProcess).errno(5, 'getpid').rule('getpid', Act.allow, arg(0).eq(1))],
    ['two unconditional: the first', policy(Act.killProcess).errno(5, 'getpid').errno(7, 'getpid')],
    [
      'between conditional ones',
      policy(Act.killProcess).rule('getpid', Act.allow, arg(0).eq(1)).errno(5, 'getpid').errno(7, 'getpid').rule('getpid', Act.allow, arg(0).eq(2)),
    ],
  ])('%s', (_name, b) => {
    for (const a0 of [0n, 1n, 2n]) expect(decide(b.build(), GETPID, [a0])).toBe(v(Act.errno(5)));
  });

  it('without an unconditional rule, conditional rules decide in order and the rest get the default', () => {
    const p = policy(Act.killProcess).rule('getpid', Act.allow, arg(0).eq(1)).rule('getpid', Act.errno(3), arg(1).eq(2)).build();
    expect(decide(p, GETPID, [1n, 2n])).toBe(v(Act.allow));
    expect(decide(p, GETPID, [0n, 2n])).toBe(v(Act.errno(3)));
    expect(decide(p, GETPID, [0n, 0n])).toBe(v(Act.killProcess));
  });

  it('reports the rules that never decide, per arch, with the rule that decides instead', () => {
    const p = policy(Act.killProcess, ['x86_64', 'aarch64'])
      .rule('getpid', Act.allow, arg(0).eq(1))
      .errno(5, 'getpid')
      .allow('getpid', 'read')
      .log('read')
      .build();
    const { shadowed } = compile(p);
    expect(shadowed.map((s) => [s.ruleIndex, s.syscall, s.arch, s.by])).toEqual([
      [0, 'getpid', 'x86_64', 1],
      [0, 'getpid', 'aarch64', 1],
      [2, 'getpid', 'x86_64', 1],
      [2, 'getpid', 'aarch64', 1],
      [4, 'read', 'x86_64', 3],
      [4, 'read', 'aarch64', 3],
    ]);
    expect(shadowed[0]?.action).toEqual(Act.errno(5));
    // Same-action rules change nothing and are not reported.
    expect(compile(policy(Act.killProcess).rule('getpid', Act.allow, arg(0).eq(1)).allow('getpid').build()).shadowed).toEqual([]);
  });
});

describe("rule order 'first-match' (asked for explicitly)", () => {
  it('the first rule whose comparisons hold decides', () => {
    const p = policy(Act.killProcess).ruleOrder('first-match').rule('getpid', Act.allow, arg(0).eq(1)).errno(5, 'getpid').build();
    expect(decide(p, GETPID, [1n])).toBe(v(Act.allow));
    expect(decide(p, GETPID, [0n])).toBe(v(Act.errno(5)));
    expect(resolvePolicy(p).shadowed).toEqual([]);
  });

  it('refuses a rule behind an unconditional one with another action, pointing at override/remove', () => {
    const p = policy(Act.killProcess).ruleOrder('first-match').errno(5, 'getpid').rule('getpid', Act.allow, arg(0).eq(1)).build();
    expect(() => compile(p)).toThrow(expect.objectContaining({ field: 'rules[1]', code: 'INVALID_ARGUMENT', hint: expect.stringMatching(/override/) }));
  });
});

describe('OCI import decides as runc (libseccomp order) whatever the order of entries', () => {
  it.each([
    ['allow(arg) then errno', [0, 1]],
    ['errno then allow(arg)', [1, 0]],
  ])('%s', (_name, order) => {
    const entries = [
      { names: ['getpid'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' as const }] },
      { names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet: 5 },
    ];
    const { policy: p } = importOciSeccomp({
      defaultAction: 'SCMP_ACT_KILL_PROCESS',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: order.map((i) => entries[i] as (typeof entries)[0]),
    });
    expect(p.ruleOrder).toBe('libseccomp');
    expect(decide(p, GETPID, [1n])).toBe(v(Act.errno(5)));
    expect(decide(p, GETPID, [0n])).toBe(v(Act.errno(5)));
  });
});

describe('override and remove', () => {
  it('an appended deny for an allowed call is shadowed (reported); override replaces the allow', () => {
    const appended = PolicyBuilder.from(kcDefaultPolicy(['x86_64'])).errno(13, 'read');
    expect(appended.shadowed()).toEqual([expect.objectContaining({ syscall: 'read', arch: 'x86_64', action: Act.allow })]);
    expect(decide(appended.build(), 0)).toBe(v(Act.allow));
    const overridden = PolicyBuilder.from(kcDefaultPolicy(['x86_64'])).override('read', Act.errno(13));
    expect(overridden.shadowed()).toEqual([]);
    expect(decide(overridden.build(), 0)).toBe(v(Act.errno(13)));
  });

  it("override keeps the rule's place and takes argument conditions; the policy it started from is unchanged", () => {
    const base = kcDefaultPolicy(['x86_64']);
    const before = structuredClone(base);
    const p = PolicyBuilder.from(base).override('socket', Act.allow, arg(0).eq(1)).build(); // AF_UNIX only
    expect(base).toEqual(before);
    expect(p.rules.filter((r) => r.syscall === 'socket')).toEqual([{ syscall: 'socket', action: Act.allow, args: [arg(0).eq(1)] }]);
    expect(p.rules.findIndex((r) => r.syscall === 'socket')).toBe(base.rules.findIndex((r) => r.syscall === 'socket'));
    expect(decide(p, SOCKET, [1n])).toBe(v(Act.allow));
    expect(decide(p, SOCKET, [2n])).toBe(v(Act.errno(1)));
    expect(p.enosysAfter).toBe(base.enosysAfter);
    expect(p.unknownSyscalls).toBe('skip');
  });

  it('remove drops every rule of the named calls: they get the default action', () => {
    const p = PolicyBuilder.from(kcDefaultPolicy(['x86_64']))
      .remove('socket', 'read')
      .build();
    expect(p.rules.some((r) => r.syscall === 'socket' || r.syscall === 'read')).toBe(false);
    expect(decide(p, SOCKET, [1n])).toBe(v(Act.errno(1)));
    expect(decide(p, 0)).toBe(v(Act.errno(1)));
    expect(decide(p, 1)).toBe(v(Act.allow)); // write untouched
  });

  it('override of a call the policy did not name appends it', () => {
    const p = PolicyBuilder.from(policy(Act.allow).errno(1, 'read').build()).override('ptrace', Act.killProcess).build();
    expect(p.rules.map((r) => r.syscall)).toEqual(['read', 'ptrace']);
  });
});
