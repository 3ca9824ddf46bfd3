import fc from 'fast-check';
import {
  type Action,
  type ArgComparison,
  type ArchName,
  type OciSeccomp,
  type Policy,
  type SockFilter,
  BPF_MAXINSNS,
  actionFromValue,
  actionValue,
  archInfo,
  compile,
  decodeProgram,
  disassemble,
  emulate,
  encodeProgram,
  exportOciSeccomp,
  importOciSeccomp,
  kcDefaultPolicy,
  policyMeaning,
  resolveDockerProfile,
  syscallNames,
} from '@kc/seccomp';
import { afterAll, describe, expect, it } from 'vitest';
import { printTallies, tally, typedOrValue } from './typed-errors.js';

// Property tests of @kc/seccomp: random policies through the compiler, with the
// emulator checked against the policy's own meaning (a differential oracle),
// random BPF programs through the emulator, and random OCI profiles.
afterAll(printTallies);

const ARCHES: ArchName[] = ['x86_64', 'i386', 'x32', 'aarch64'];
// Names every fuzzed arch has, so most random policies compile (unknown names are fuzzed separately below).
const names = syscallNames('x86_64').filter((n) => (['i386', 'aarch64'] as const).every((a) => syscallNames(a).includes(n)));
const syscall = fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constantFrom('no_such_call', '', 'READ', 'socket') });
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.constant<Action>({ kind: 'allow' }),
  fc.constant<Action>({ kind: 'kill_process' }),
  fc.constant<Action>({ kind: 'kill_thread' }),
  fc.constant<Action>({ kind: 'log' }),
  fc.constant<Action>({ kind: 'user_notif' }),
  fc.oneof(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: -2, max: 70000 })).map((errno): Action => ({ kind: 'errno', errno })),
  fc.integer({ min: 0, max: 0xffff }).map((data): Action => ({ kind: 'trap', data })),
  fc.integer({ min: 0, max: 0xffff }).map((data): Action => ({ kind: 'trace', data })),
);
const u64 = fc.oneof(
  { weight: 20, arbitrary: fc.bigInt({ min: 0n, max: 0xffffffffn }) },
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(0n, 1n, 0xffffffffn, 0x100000000n, (1n << 64n) - 1n, -1n, 1n << 64n),
);
const argCmp: fc.Arbitrary<ArgComparison> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ index: fc.integer({ min: 0, max: 5 }), op: fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge'), value: u64 }) },
  { weight: 5, arbitrary: fc.record({ index: fc.integer({ min: 0, max: 5 }), op: fc.constant('masked_eq'), value: u64, mask: u64 }) },
  // Rarely, something invalid: a bad index, a mask on another operator.
  {
    weight: 1,
    arbitrary: fc.record(
      { index: fc.constantFrom(-1, 6, 1.5), op: fc.constantFrom('eq', 'masked_eq'), value: u64, mask: u64 },
      { requiredKeys: ['index', 'op', 'value'] },
    ),
  },
) as fc.Arbitrary<ArgComparison>;
const policyArb: fc.Arbitrary<Policy> = fc.subarray(ARCHES, { minLength: 1 }).chain((arches) =>
  fc.record(
    {
      defaultAction: action,
      arches: fc.constant(arches),
      rules: fc.array(
        fc.record(
          { syscall, action, args: fc.array(argCmp, { maxLength: 3 }), arches: fc.subarray(arches, { minLength: 1 }) },
          { requiredKeys: ['syscall', 'action'] },
        ),
        { maxLength: 12 },
      ),
      badArchAction: action,
      unknownSyscalls: fc.constantFrom('error', 'skip'),
    },
    { requiredKeys: ['defaultAction', 'arches', 'rules'] },
  ),
);

/** seccomp_data that hits the policy's syscalls, their neighbours, x32 numbers and other arches. */
function dataFor(p: Policy) {
  return fc.record({
    arch: fc.oneof(
      fc.constantFrom(...[...p.arches, 'aarch64' as const, 'riscv64' as const].map((a) => archInfo(a).auditArch)),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    ),
    nr: fc.oneof(fc.integer({ min: 0, max: 460 }), fc.integer({ min: 0x40000000, max: 0x40000200 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
    args: fc.array(
      u64.map((v) => v & ((1n << 64n) - 1n)),
      { minLength: 6, maxLength: 6 },
    ),
    instructionPointer: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  });
}

describe('BPF compiler', () => {
  it('compiles random policies or rejects them with INVALID_ARGUMENT; the program means what the policy means', () => {
    const t = tally('seccomp.compile(random policy) + 16 emulated calls each');
    let checked = 0;
    fc.assert(
      fc.property(
        policyArb.chain((p) => fc.tuple(fc.constant(p), fc.array(dataFor(p), { minLength: 16, maxLength: 16 }))),
        ([p, calls]) => {
          const c = typedOrValue(t, () => compile(p));
          if (!c) return;
          expect(c.instructions.length).toBeLessThanOrEqual(BPF_MAXINSNS);
          expect(decodeProgram(c.bytes)).toEqual(c.instructions);
          expect(typeof disassemble(c.instructions)).toBe('string');
          for (const d of calls) {
            const want = actionValue(policyMeaning(c.resolved, d));
            expect(emulate(c.instructions, d).value >>> 0).toBe(want >>> 0);
            checked++;
          }
        },
      ),
      { numRuns: 400 },
    );
    console.log(`fuzz seccomp: ${checked} emulated calls agreed with policyMeaning`);
  });

  it("kc's default profile: emulator and policy meaning agree on random calls", () => {
    const c = compile(kcDefaultPolicy(['x86_64', 'i386', 'x32']));
    const t = tally('seccomp.kcDefaultPolicy differential');
    fc.assert(
      fc.property(dataFor(kcDefaultPolicy(['x86_64', 'i386', 'x32'])), (d) => {
        expect(emulate(c.instructions, d).value >>> 0).toBe(actionValue(policyMeaning(c.resolved, d)) >>> 0);
        t.ok++;
      }),
      { numRuns: 3000 },
    );
  });
});

describe('BPF emulator and encoding', () => {
  const insn: fc.Arbitrary<SockFilter> = fc.record({
    // Mostly real seccomp opcodes (ld abs/imm/mem, ldx, st, alu, jmp, ret, misc), sometimes anything.
    code: fc.oneof(
      fc.constantFrom(
        0x20,
        0x00,
        0x60,
        0x01,
        0x61,
        0x02,
        0x03,
        0x04,
        0x14,
        0x54,
        0x44,
        0x74,
        0x64,
        0x84,
        0x94,
        0xa4,
        0x0c,
        0x05,
        0x15,
        0x25,
        0x35,
        0x45,
        0x1d,
        0x06,
        0x16,
        0x07,
        0x87,
        0x34,
        0x24,
      ),
      fc.integer({ min: 0, max: 0xffff }),
    ),
    jt: fc.integer({ min: 0, max: 255 }),
    jf: fc.integer({ min: 0, max: 255 }),
    k: fc.oneof(fc.constantFrom(0, 4, 8, 12, 16, 20, 60, 64, 63, 0x7fff0000), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
  });
  it('runs random programs to a value or a RangeError (what the kernel would reject), never anything else', () => {
    const t = tally('seccomp.emulate(random program)');
    fc.assert(
      fc.property(fc.array(insn, { maxLength: 40 }), fc.integer({ min: 0, max: 500 }), (prog, nr) => {
        try {
          const r = emulate(prog, { nr, arch: 0xc000003e, args: [1n, 2n, 3n, 4n, 5n, 6n] });
          expect(r.executed).toBeLessThanOrEqual(prog.length);
          t.ok++;
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
          t.rejected++;
        }
        expect(decodeProgram(encodeProgram(prog))).toEqual(prog);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodeProgram accepts any bytes (trailing partial instruction ignored)', () => {
    const t = tally('seccomp.decodeProgram(random bytes)');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        expect(decodeProgram(b)).toHaveLength(Math.floor(b.length / 8));
        t.ok++;
      }),
      { numRuns: 2000 },
    );
  });

  it('actionFromValue/actionValue round-trip every known return value', () => {
    const t = tally('seccomp.actionFromValue round trip');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => {
        const a = actionFromValue(v);
        expect(actionFromValue(actionValue(a))).toEqual(a);
        t.ok++;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('OCI seccomp profiles', () => {
  const ociAction = fc.oneof(
    fc.constantFrom(
      'SCMP_ACT_ALLOW',
      'SCMP_ACT_ERRNO',
      'SCMP_ACT_KILL',
      'SCMP_ACT_KILL_PROCESS',
      'SCMP_ACT_KILL_THREAD',
      'SCMP_ACT_TRAP',
      'SCMP_ACT_TRACE',
      'SCMP_ACT_LOG',
      'SCMP_ACT_NOTIFY',
    ),
    fc.string({ maxLength: 8 }),
  );
  const ociArg = fc.record(
    {
      index: fc.integer({ min: -1, max: 7 }),
      value: fc.oneof(fc.nat(), fc.double(), fc.constant(2 ** 64)),
      valueTwo: fc.oneof(fc.nat(), fc.constant(-1)),
      op: fc.oneof(
        fc.constantFrom('SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'),
        fc.string({ maxLength: 5 }),
      ),
    },
    { requiredKeys: ['index', 'value', 'op'] },
  );
  const ociProfile = fc.record(
    {
      defaultAction: ociAction,
      defaultErrnoRet: fc.integer({ min: -5, max: 5000 }),
      architectures: fc.array(
        fc.oneof(fc.constantFrom('SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS'), fc.string({ maxLength: 6 })),
        { maxLength: 4 },
      ),
      flags: fc.array(fc.constantFrom('SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'BOGUS'), { maxLength: 2 }),
      syscalls: fc.array(
        fc.record(
          {
            names: fc.array(syscall, { maxLength: 4 }),
            action: ociAction,
            errnoRet: fc.integer({ min: -1, max: 5000 }),
            args: fc.oneof(fc.constant(null), fc.array(ociArg, { maxLength: 3 })),
            includes: fc.record(
              { caps: fc.array(fc.constantFrom('CAP_SYS_ADMIN', 'CAP_BPF'), { maxLength: 1 }), minKernel: fc.constantFrom('4.8', '7.0', 'x') },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: ['names', 'action'] },
        ),
        { maxLength: 8 },
      ),
    },
    { requiredKeys: ['defaultAction'] },
  ) as fc.Arbitrary<OciSeccomp>;

  it('importOciSeccomp (and compile of what it returns) on random profiles: typed errors only', () => {
    const t = tally('seccomp.importOciSeccomp(random profile)→compile');
    fc.assert(
      fc.property(ociProfile, (oci) => {
        const imported = typedOrValue(t, () => importOciSeccomp(oci));
        if (imported) typedOrValue(t, () => compile(imported.policy));
        typedOrValue(t, () => resolveDockerProfile(oci, { arch: 'x86_64', capabilities: ['CAP_SYS_ADMIN'], kernel: '6.1' } as never));
      }),
      { numRuns: 1000 },
    );
  });

  it('importOciSeccomp on arbitrary JSON values: typed errors only', () => {
    const t = tally('seccomp.importOciSeccomp(arbitrary JSON)');
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (v) => {
        typedOrValue(t, () => importOciSeccomp(v as unknown as OciSeccomp));
      }),
      { numRuns: 1000 },
    );
  });

  it('export then import keeps the meaning of a policy (same filter behaviour)', () => {
    const t = tally('seccomp.export→import round trip');
    // OCI has no per-rule arches, no bad-arch action and no SCMP_ACT_TRAP data (export drops the last two silently: see the README).
    const noTrapData = (a: Action): Action => (a.kind === 'trap' ? { kind: 'trap', data: 0 } : a);
    const allArchPolicy = policyArb.map(({ badArchAction: _b, ...p }) => ({
      ...p,
      defaultAction: noTrapData(p.defaultAction),
      rules: p.rules.map(({ arches: _drop, ...r }) => ({ ...r, action: noTrapData(r.action) })),
    }));
    fc.assert(
      fc.property(
        allArchPolicy.chain((p) => fc.tuple(fc.constant(p), fc.array(dataFor(p), { minLength: 8, maxLength: 8 }))),
        ([p, calls]) => {
          const c = typedOrValue(t, () => compile(p));
          if (!c) return;
          const oci = typedOrValue(t, () => exportOciSeccomp(p));
          if (!oci) return;
          const back = importOciSeccomp(JSON.parse(JSON.stringify(oci, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))));
          const c2 = compile({ ...back.policy, unknownSyscalls: p.unknownSyscalls ?? back.policy.unknownSyscalls });
          for (const d of calls) expect(emulate(c2.instructions, d).value >>> 0).toBe(emulate(c.instructions, d).value >>> 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
