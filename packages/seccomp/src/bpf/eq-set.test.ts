import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ArchName, archInfo } from '../arch.js';
import { resolveDockerProfile } from '../oci/docker.js';
import { importOciSeccomp } from '../oci/import.js';
import { arg, policy } from '../policy/builder.js';
import { policyMeaning } from '../policy/meaning.js';
import { Act, type Action, actionValue } from '../policy/model.js';
import { compile } from './compiler.js';
import { emulate } from './emulator.js';

const X86_64 = archInfo('x86_64');
const PERSONALITY = X86_64.syscalls.personality as number;
/** Docker's personality rules: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, and the 0xffffffff query. */
const DOCKER_PERSONALITY = [0n, 8n, 0x20000n, 0x20008n, 0xffffffffn];

function dockerLike(values: readonly bigint[]) {
  const b = policy(Act.errno(1)).allow('read');
  for (const v of values) b.rule('personality', Act.allow, arg(0).eq(v));
  return b.build();
}

describe('neighbouring arg == value rules of one action are one search', () => {
  it("Docker's five personality values: each costs at most 3 instructions more than a one-value rule (a rule-by-rule chain costs up to 16 more)", () => {
    const c = compile(dockerLike(DOCKER_PERSONALITY));
    const cost = (prog: typeof c, a0: bigint) => emulate(prog.instructions, { arch: X86_64.auditArch, nr: PERSONALITY, args: [a0] });
    for (const v of DOCKER_PERSONALITY) {
      const r = cost(c, v);
      expect(r.value).toBe(actionValue(Act.allow));
      const alone = cost(compile(dockerLike([v])), v);
      expect(r.executed).toBeLessThanOrEqual(alone.executed + 3);
    }
    expect(cost(c, 0xffffffffn).executed).toBeLessThanOrEqual(20); // issue 18: 33 as a chain, 20 in libseccomp's tree
    for (const v of [1n, 7n, 9n, 0x20001n, 0xfffffffen, 0x100000000n, 0xffffffffffffffffn]) expect(cost(c, v).value).toBe(actionValue(Act.errno(1)));
  });

  it("under Docker's whole profile personality(0xffffffff) runs 20 instructions (33 as a chain; libseccomp's tree 22 with these tables)", () => {
    const docker = JSON.parse(readFileSync('/work/shared/data/seccomp/docker-default.json', 'utf8'));
    const c = compile(importOciSeccomp(resolveDockerProfile(docker, { arch: 'x86_64' })).policy);
    const r = emulate(c.instructions, { arch: X86_64.auditArch, nr: PERSONALITY, args: [0xffffffffn] });
    expect(r.value).toBe(actionValue(Act.allow));
    expect(r.executed).toBeLessThanOrEqual(20);
  });

  const action: fc.Arbitrary<Action> = fc.oneof(fc.constant(Act.allow), fc.constant(Act.log), fc.integer({ min: 1, max: 50 }).map(Act.errno));
  const value = fc.oneof(
    fc.constantFrom(0n, 1n, 8n, 0xffffffffn, 1n << 32n, (1n << 32n) + 8n, (1n << 64n) - 1n),
    fc.bigInt({ min: 0n, max: 40n }),
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  );

  it('emulate(compile(p)) equals the meaning of p for runs of eq rules, on 64- and 32-bit arches', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<ArchName>('x86_64', 'i386', 'aarch64', 'arm'),
        fc.array(fc.record({ action, index: fc.integer({ min: 0, max: 2 }), values: fc.array(value, { minLength: 1, maxLength: 9 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { minLength: 10, maxLength: 10 }),
        (arch, runs, calls) => {
          const b = policy(Act.killProcess, [arch]).ruleOrder('first-match');
          for (const run of runs) for (const v of run.values) b.rule('personality', run.action, arg(run.index).eq(v));
          const p = b.build();
          let c: ReturnType<typeof compile>;
          try {
            c = compile(p);
          } catch {
            return fc.pre(false); // two runs comparing the same value with different actions: a conflict
          }
          const info = archInfo(arch);
          const nr = info.syscalls.personality as number;
          // Calls with the rules' own values too, so that hits are frequent.
          const probes = [...calls, ...runs.flatMap((r) => r.values.map((v) => [r.index === 0 ? v : 0n, r.index === 1 ? v : 0n, r.index === 2 ? v : 0n]))];
          for (const args of probes) {
            const data = { arch: info.auditArch, nr, args };
            expect(emulate(c.instructions, data).value).toBe(actionValue(policyMeaning(c.resolved, data)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
