import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARCH_NAMES, type ArchName, archInfo } from '../arch.js';
import { SeccompError } from '../errors.js';
import { arg, policy } from '../policy/builder.js';
import { policyMeaning, type SeccompData } from '../policy/meaning.js';
import { Act, type Action, type ArgComparison, actionValue, type Policy } from '../policy/model.js';
import { compile } from './compiler.js';
import { emulate } from './emulator.js';
import { decodeProgram } from './instructions.js';

const NAMES = [
  'read',
  'write',
  'openat',
  'close',
  'mkdirat',
  'socket',
  'ptrace',
  'clone',
  'clone3',
  'personality',
  'mmap',
  'ioctl',
  'fcntl',
  'getpid',
  'kill',
  'prctl',
];
const INTERESTING = [0n, 1n, 2n, 38n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 1n << 32n, (1n << 32n) + 1n, 1n << 63n, (1n << 64n) - 1n];
const value = fc.oneof(fc.constantFrom(...INTERESTING), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.constant(Act.allow),
  fc.constant(Act.killProcess),
  fc.constant(Act.killThread),
  fc.constant(Act.log),
  fc.constant(Act.userNotif),
  fc.integer({ min: 0, max: 4095 }).map(Act.errno),
  fc.integer({ min: 0, max: 0xffff }).map(Act.trace),
);
const comparison: fc.Arbitrary<ArgComparison> = fc
  .record({
    index: fc.integer({ min: 0, max: 5 }),
    op: fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq' as const),
    value,
    mask: value,
  })
  .map(({ index, op, value, mask }) => (op === 'masked_eq' ? { index, op, value: value & mask, mask } : { index, op, value }));
const archList = fc.shuffledSubarray([...ARCH_NAMES], { minLength: 1 });

/** Random policies; those with conflicting rules are rejected by the compiler and skipped here. */
const randomPolicy: fc.Arbitrary<Policy> = fc.record({
  defaultAction: action,
  arches: archList,
  rules: fc.array(
    fc.record({
      syscall: fc.constantFrom(...NAMES),
      action,
      args: fc.array(comparison, { maxLength: 3 }),
    }),
    { maxLength: 25 },
  ),
  badArchAction: action,
  ruleOrder: fc.constantFrom('libseccomp', 'first-match' as const),
  enosysAfter: fc.option(fc.constantFrom('close_range', 'openat2', 'io_uring_setup'), { nil: undefined }),
  unknownSyscalls: fc.constant('skip' as const),
});

function callsFor(p: Policy): fc.Arbitrary<SeccompData> {
  const auditArches = [...new Set(ARCH_NAMES.map((a) => archInfo(a).auditArch)), 0x12345678];
  const nr = fc.oneof(
    fc.constantFrom(...p.arches).chain((a: ArchName) => fc.constantFrom(...Object.values(archInfo(a).syscalls))),
    fc.integer({ min: 0, max: 1100 }),
    fc.integer({ min: 0x40000000, max: 0x40000500 }),
    fc.constantFrom(0xffffffff, 0x3fffffff, 0xf0005, 102, 117), // 102, 117: socketcall and ipc on i386
  );
  return fc.record({
    arch: fc.oneof(
      fc.constantFrom(...p.arches).map((a) => archInfo(a).auditArch),
      fc.constantFrom(...auditArches),
    ),
    nr,
    args: fc.array(value, { minLength: 6, maxLength: 6 }),
  });
}

describe('compile', () => {
  it('emulate(compile(p)) equals the meaning of p for random policies and calls', () => {
    fc.assert(
      fc.property(
        randomPolicy.chain((p) => fc.tuple(fc.constant(p), fc.array(callsFor(p), { minLength: 20, maxLength: 20 }))),
        ([p, calls]) => {
          let compiled: ReturnType<typeof compile>;
          try {
            compiled = compile(p);
          } catch (e) {
            if (e instanceof SeccompError && /conflicts/.test(e.message)) return fc.pre(false);
            throw e;
          }
          expect(decodeProgram(compiled.bytes)).toEqual(compiled.instructions);
          for (const data of calls) {
            expect(emulate(compiled.instructions, data).value).toBe(actionValue(policyMeaning(compiled.resolved, data)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('compiles the empty policy and a default-only policy to a working filter', () => {
    for (const p of [policy(Act.allow).build(), policy(Act.errno(1), ['x86_64', 'aarch64']).build()]) {
      const c = compile(p);
      expect(emulate(c.instructions, { arch: 0xc000003e, nr: 0 }).value).toBe(actionValue(p.defaultAction));
      expect(emulate(c.instructions, { arch: 0x40000003, nr: 0 }).value).toBe(actionValue(Act.killProcess));
    }
  });

  it('is deterministic', () => {
    const p = policy(Act.errno(1)).allow('read', 'write').rule('socket', Act.allow, arg(0).eq(1)).build();
    expect(compile(p).bytes.equals(compile(structuredClone(p)).bytes)).toBe(true);
  });

  it('inserts trampolines when a branch must jump further than 255 instructions', () => {
    const b = policy(Act.errno(1));
    const names = Object.keys(archInfo('x86_64').syscalls).slice(0, 200);
    names.forEach((n, i) => b.rule(n, Act.allow, arg(i % 6).eq(BigInt(i) << 33n), arg((i + 1) % 6).gt(i)));
    const c = compile(b.build());
    expect(c.instructions.length).toBeGreaterThan(300);
    expect(c.instructions.some((ins) => ins.code === 0x05)).toBe(true);
    for (const [i, n] of names.entries()) {
      const nr = archInfo('x86_64').syscalls[n] as number;
      const args = [0n, 0n, 0n, 0n, 0n, 0n];
      args[i % 6] = BigInt(i) << 33n;
      args[(i + 1) % 6] = BigInt(i) + 1n;
      expect(emulate(c.instructions, { arch: 0xc000003e, nr, args }).value).toBe(actionValue(Act.allow));
      args[(i + 1) % 6] = BigInt(i);
      expect(emulate(c.instructions, { arch: 0xc000003e, nr, args }).value).toBe(actionValue(Act.errno(1)));
    }
  });

  it('returns ENOSYS for calls newer than the profile and the default for older unnamed ones', () => {
    const c = compile(policy(Act.errno(1)).allow('read').enosysAfter('pidfd_open').build());
    expect(emulate(c.instructions, { arch: 0xc000003e, nr: 435 }).value).toBe(actionValue(Act.errno(38))); // clone3
    expect(emulate(c.instructions, { arch: 0xc000003e, nr: 56 }).value).toBe(actionValue(Act.errno(1))); // clone
  });
});

describe('policy errors name the rule', () => {
  const cases: [string, Policy, string][] = [
    ['unknown syscall', policy(Act.allow).errno(1, 'nope').build(), 'rules[0].syscall'],
    ['syscall missing on an arch', policy(Act.allow, ['aarch64']).errno(1, 'open').build(), 'rules[0].syscall'],
    ['arg index', policy(Act.allow).rule('read', Act.errno(1), arg(6).eq(0)).build(), 'rules[0].args[0].index'],
    ['errno range', policy(Act.allow).errno(5000, 'read').build(), 'rules[0].action'],
    ['conflict (first-match)', policy(Act.errno(1)).ruleOrder('first-match').allow('read').kill('read').build(), 'rules[1]'],
    [
      'conflict: same comparisons, two actions',
      policy(Act.errno(1)).rule('read', Act.allow, arg(0).eq(1)).rule('read', Act.killProcess, arg(0).eq(1)).build(),
      'rules[1]',
    ],
    ['unknown rule order', { defaultAction: Act.allow, arches: ['x86_64'], rules: [], ruleOrder: 'last-match' as never }, 'ruleOrder'],
    ['no arches', { defaultAction: Act.allow, arches: [], rules: [] }, 'arches'],
  ];
  it.each(cases)('%s', (_name, p, field) => {
    expect(() => compile(p)).toThrow(SeccompError);
    try {
      compile(p);
    } catch (e) {
      expect((e as SeccompError).field).toBe(field);
      expect((e as SeccompError).code).toBe('INVALID_ARGUMENT');
    }
  });
});
