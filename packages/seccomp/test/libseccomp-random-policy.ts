/**
 * Random policies for the differential against libseccomp, shared by the
 * emulated run (src/bpf/libseccomp-differential.test.ts) and the one decided
 * by the kernel (test/libseccomp-kernel.privileged.test.ts).
 */
import fc from 'fast-check';
import { ARCH_NAMES, type ArchName } from '../src/arch.js';
import { Act, type Action, type Policy, type Rule } from '../src/policy/model.js';

/** Syscalls the random rules pick from; socket, connect and accept are also filtered as socketcall(SYS_*) on i386, by both. */
const NAMES = [
  'read',
  'write',
  'openat',
  'close',
  'ptrace',
  'clone',
  'personality',
  'mmap',
  'ioctl',
  'getpid',
  'kill',
  'prctl',
  'dup3',
  'socket',
  'connect',
  'accept',
];

/** Random policies over `arches`, one action per syscall (libseccomp merges rules as a set, kc tries them in order: with one action both mean "any rule holds"). */
export function randomPolicy(
  options: { arches?: readonly ArchName[]; actions?: readonly ('allow' | 'kill' | 'log' | 'errno' | 'trap')[] } = {},
): fc.Arbitrary<Policy> {
  const kinds = options.actions ?? ['allow', 'kill', 'log', 'errno'];
  const byKind: Record<string, fc.Arbitrary<Action>> = {
    allow: fc.constant(Act.allow),
    kill: fc.constant(Act.killProcess),
    log: fc.constant(Act.log),
    // 1..4094: libseccomp 2.5.4 refuses ERRNO(4095) (EINVAL), and a refused rule would vanish from its filter.
    errno: fc.integer({ min: 1, max: 4094 }).map(Act.errno),
    // libseccomp has SCMP_ACT_TRAP without data only.
    trap: fc.constant(Act.trap(0)),
  };
  const action = fc.oneof(...kinds.map((k) => byKind[k] as fc.Arbitrary<Action>));
  const u32 = fc.oneof(fc.constantFrom(0n, 1n, 2n, 0xffffffffn, 0x80000000n), fc.bigInt({ min: 0n, max: 0xffffffffn }));
  const pool = options.arches ?? ARCH_NAMES;
  return fc
    .record({
      defaultAction: action,
      arches: fc.shuffledSubarray([...pool], { minLength: 1, maxLength: Math.min(3, pool.length) }),
      perSyscall: fc.dictionary(
        fc.constantFrom(...NAMES),
        fc.record({
          action,
          conds: fc.array(
            fc.array(
              fc.record({
                index: fc.integer({ min: 0, max: 5 }),
                op: fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq' as const),
                value: u32,
                mask: u32,
              }),
              { maxLength: 2 },
            ),
            { maxLength: 3 },
          ),
        }),
      ),
    })
    .map(({ defaultAction, arches, perSyscall }) => {
      const rules: Rule[] = [];
      for (const [syscall, { action, conds }] of Object.entries(perSyscall)) {
        if (conds.length === 0) rules.push({ syscall, action });
        for (const c of conds) {
          // libseccomp rejects two comparisons on one argument in one rule.
          const seen = new Set<number>();
          const args = c
            .filter((x) => !seen.has(x.index) && seen.add(x.index))
            .map((x) =>
              x.op === 'masked_eq' ? { index: x.index, op: x.op, value: x.value & x.mask, mask: x.mask } : { index: x.index, op: x.op, value: x.value },
            );
          rules.push({ syscall, action, args });
        }
      }
      return { defaultAction, arches, rules, unknownSyscalls: 'skip' } satisfies Policy;
    });
}
