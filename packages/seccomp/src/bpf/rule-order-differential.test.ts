/**
 * Rule order against libseccomp (python3-seccomp), emulated: for one syscall
 * with conditional and unconditional rules in every order and with different
 * actions, kc's default (`ruleOrder: 'libseccomp'`) and an imported OCI
 * profile must decide every call as libseccomp's own filter does. libseccomp
 * keeps the first unconditional rule of a syscall (src/db.c `db_rule_add`:
 * later rules are dropped, earlier conditional chains cleared).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { report } from '../../../../test-support/report.js';
import { useFuzzSeed } from '../../../../test-support/seed.js';
import { tool } from '../../../../test-support/tools.js';
import { explainDisagreement } from '../../test/libseccomp-known-bugs.js';
import { type ArchName, archInfo } from '../arch.js';
import { libseccompCompile } from '../internal/libseccomp-peer.js';
import { importOciSeccomp } from '../oci/import.js';
import { actionToOci } from '../oci/names.js';
import type { OciSeccomp } from '../oci/types.js';
import { Act, type Action, type ArgComparison, actionValue, type Policy, type Rule } from '../policy/model.js';
import { resolvePolicy } from '../policy/validate.js';
import { compile } from './compiler.js';
import { emulate } from './emulator.js';
import { decodeProgram } from './instructions.js';

const probe = { libseccompPython: tool('python3-seccomp') };
const seed = useFuzzSeed('rule order vs libseccomp');
const SLOW_MS = 60_000;
const NAMES = ['getpid', 'personality', 'kill', 'socket', 'ioctl'] as const;

/** Every call of the named syscalls with each argument set; returns how many agreed and how many a pinned libseccomp bug explains. */
function compareOn(p: Policy, args: readonly bigint[][]): { agree: number; explained: number } {
  const kc = compile(p);
  const lib = decodeProgram(libseccompCompile(p, 2));
  let agree = 0;
  let explained = 0;
  for (const arch of p.arches) {
    const info = archInfo(arch);
    const rules = resolvePolicy(p).arches.find((a) => a.info.name === arch)?.rules;
    for (const name of NAMES) {
      const nr = info.syscalls[name];
      if (nr === undefined) continue;
      for (const a of args) {
        const data = { arch: info.auditArch, nr, args: a };
        const ours = emulate(kc.instructions, data).value;
        const theirs = emulate(lib, data).value;
        if (ours !== theirs && explainDisagreement(rules?.get(nr) ?? [])) {
          explained++;
          continue;
        }
        expect([arch, name, a, ours.toString(16)]).toEqual([arch, name, a, theirs.toString(16)]);
        agree++;
      }
    }
  }
  return { agree, explained };
}

const ARGS: bigint[][] = [];
for (const a0 of [0n, 1n, 2n, 8n, 0xffffffffn]) for (const a1 of [0n, 2n, 7n]) ARGS.push([a0, a1, 0n, 0n, 0n, 0n]);

const eq = (index: number, value: bigint): ArgComparison => ({ index, op: 'eq', value });

describe.skipIf(!probe.libseccompPython)('rule order: kc decides as libseccomp (python3-seccomp)', () => {
  const U = (action: Action): Rule => ({ syscall: 'getpid', action });
  const C = (action: Action, ...args: ArgComparison[]): Rule => ({ syscall: 'getpid', action, args });
  const cases: [string, Rule[]][] = [
    ['conditional allow, then unconditional errno', [C(Act.allow, eq(0, 1n)), U(Act.errno(5))]],
    ['unconditional errno, then conditional allow', [U(Act.errno(5)), C(Act.allow, eq(0, 1n))]],
    ['two unconditional with different actions', [U(Act.errno(5)), U(Act.errno(7))]],
    ['unconditional between conditional ones', [C(Act.allow, eq(0, 1n)), U(Act.errno(7)), C(Act.allow, eq(1, 2n)), U(Act.log)]],
    ['conditional rules only, one action', [C(Act.errno(3), eq(0, 1n)), C(Act.errno(3), eq(1, 2n))]],
    ['unconditional log after a conditional allow of the same argument', [C(Act.allow, eq(0, 1n)), U(Act.log)]],
  ];

  it.each(cases)(
    '%s',
    (_name, rules) => {
      for (const arches of [['x86_64'], ['x86_64', 'i386', 'aarch64']] as ArchName[][]) {
        const p: Policy = { defaultAction: Act.killProcess, arches, rules };
        // Every named syscall of every arch, with every argument set.
        expect(compareOn(p, ARGS).agree).toBeGreaterThanOrEqual(NAMES.length * ARGS.length * arches.length - 2 * ARGS.length);
      }
    },
    SLOW_MS,
  );

  it('an OCI entry with the default action does not override conditional entries (runc drops it before libseccomp)', () => {
    const allow = { names: ['getpid'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' as const }] };
    const asDefault = { names: ['getpid'], action: 'SCMP_ACT_KILL_PROCESS' };
    const { policy } = importOciSeccomp({ defaultAction: 'SCMP_ACT_KILL_PROCESS', architectures: ['SCMP_ARCH_X86_64'], syscalls: [allow, asDefault] });
    expect(compareOn(policy, ARGS).agree).toBe(NAMES.length * ARGS.length);
    expect(emulate(compile(policy).instructions, { arch: archInfo('x86_64').auditArch, nr: 39, args: [1n] }).value).toBe(actionValue(Act.allow));
  });

  it('an OCI profile decides as libseccomp in both orders of a conditional allow and an unconditional deny', () => {
    const allow = { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' as const }] };
    const deny = { names: ['personality'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 };
    for (const syscalls of [
      [allow, deny],
      [deny, allow],
    ]) {
      const { policy } = importOciSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls });
      expect(compareOn(policy, ARGS).agree).toBe(NAMES.length * ARGS.length);
      expect(emulate(compile(policy).instructions, { arch: archInfo('x86_64').auditArch, nr: 135, args: [8n] }).value).toBe(actionValue(Act.errno(13)));
    }
  });

  it(
    'random rule orders, through OCI import, decide as libseccomp (except pinned libseccomp bugs)',
    () => {
      const action = fc.oneof(fc.constant(Act.allow), fc.constant(Act.log), fc.constant(Act.killProcess), fc.integer({ min: 1, max: 200 }).map(Act.errno));
      const cond = fc.uniqueArray(fc.record({ index: fc.integer({ min: 0, max: 1 }), value: fc.constantFrom(0n, 1n, 2n, 7n, 8n) }), {
        minLength: 1,
        maxLength: 2,
        selector: (c) => c.index,
      });
      // Per syscall: conditional rules of one action (libseccomp merges those of different actions into
      // one tree by argument, a different question) and unconditional rules of any action, in any order.
      const perSyscall = fc.record({
        condAction: action,
        conds: fc.array(cond, { maxLength: 3 }),
        unconds: fc.array(action, { maxLength: 2 }),
        order: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
      });
      let agree = 0;
      let explained = 0;
      fc.assert(
        fc.property(
          fc.record({ defaultAction: action, syscalls: fc.dictionary(fc.constantFrom(...NAMES), perSyscall, { minKeys: 1 }) }),
          ({ defaultAction, syscalls }) => {
            const entries: NonNullable<OciSeccomp['syscalls']> = [];
            for (const [name, s] of Object.entries(syscalls)) {
              const items = [
                ...s.conds.map((c) => ({
                  names: [name],
                  ...actionToOci(s.condAction),
                  args: c.map((x) => ({ index: x.index, value: Number(x.value), op: 'SCMP_CMP_EQ' as const })),
                })),
                ...s.unconds.map((a) => ({ names: [name], ...actionToOci(a) })),
              ];
              // Shuffle deterministically from the drawn order keys.
              items.forEach((_, i) => {
                const j = (s.order[i % 5] ?? 0) % items.length;
                [items[i], items[j]] = [items[j] as (typeof items)[0], items[i] as (typeof items)[0]];
              });
              entries.push(...items);
            }
            const oci: OciSeccomp = {
              ...(() => {
                const d = actionToOci(defaultAction);
                return { defaultAction: d.action, ...(d.errnoRet !== undefined ? { defaultErrnoRet: d.errnoRet } : {}) };
              })(),
              architectures: ['SCMP_ARCH_X86_64'],
              syscalls: entries,
            };
            const r = compareOn(importOciSeccomp(oci).policy, ARGS);
            agree += r.agree;
            explained += r.explained;
          },
        ),
        { numRuns: 60, seed },
      );
      report(`rule order vs libseccomp (seed ${seed}): ${agree} calls agree, ${explained} explained by pinned libseccomp bugs`);
      expect(agree).toBeGreaterThan(0);
    },
    SLOW_MS,
  );
});
