/**
 * Known libseccomp 2.5.4 (Debian 12) bugs, pinned. The differential against
 * libseccomp (src/bpf/libseccomp-differential.test.ts, emulated; and
 * test/libseccomp-kernel.privileged.test.ts, decided by the kernel) excuses a
 * disagreement only when one of these can explain it, counts it per bug and
 * prints the counts; any other disagreement fails. Each bug carries its
 * smallest policy, which the kernel test runs in seccomp(2) with both
 * programs: when a libseccomp upgrade fixes a bug, that test fails and the
 * entry goes.
 */
import { Act, type Action, type Policy } from '../src/policy/model.js';

/** A rule as far as the bugs care: which arguments it compares (a policy Rule or a resolved one). */
export interface RuleShape {
  /** The rule's comparisons. */
  args?: readonly { index: number }[];
}

/** One pinned libseccomp bug. */
export interface KnownLibseccompBug {
  /** Short id, printed with the counts. */
  id: string;
  /** What goes wrong. */
  what: string;
  /** Whether this bug can explain a disagreement on a syscall whose rules (in the policy, one arch) are `rules`. */
  canExplain(rules: readonly RuleShape[]): boolean;
  /** The smallest policy that shows it, one call, what the policy means and what libseccomp's filter does. */
  minimal: { policy: Policy; syscall: string; args: readonly bigint[]; meaning: Action; libseccomp: Action };
}

/**
 * libseccomp merges the rules of one syscall into a single decision tree
 * ordered by argument, as if comparisons of a shared argument were exclusive
 * branches; with two rules comparing the same argument, a rule can be lost
 * (its conditions hold, the default applies) or a call can match conditions
 * of two different rules mixed (no rule holds, the rule action applies). Its
 * man page only promises one comparison per argument within one rule
 * (seccomp/libseccomp#225, #118).
 */
const ruleMerge: KnownLibseccompBug = {
  id: 'merged-rules-sharing-an-argument',
  what: 'two rules of one syscall that compare the same argument are merged into one tree and no longer mean "either rule holds"',
  canExplain(rules) {
    const withArgs = rules.filter((r) => (r.args ?? []).length > 0);
    for (let i = 0; i < withArgs.length; i++)
      for (let j = i + 1; j < withArgs.length; j++) {
        const a = new Set((withArgs[i]?.args ?? []).map((c) => c.index));
        if ((withArgs[j]?.args ?? []).some((c) => a.has(c.index))) return true;
      }
    return false;
  },
  minimal: {
    // kill(…, a2 = 0, …, a4 = 200): the second rule holds (0 < 50), so EPERM; libseccomp allows it.
    policy: {
      defaultAction: Act.allow,
      arches: ['x86_64'],
      rules: [
        {
          syscall: 'kill',
          action: Act.errno(1),
          args: [
            { index: 4, op: 'lt', value: 100n },
            { index: 2, op: 'lt', value: 2n },
          ],
        },
        { syscall: 'kill', action: Act.errno(1), args: [{ index: 2, op: 'lt', value: 50n }] },
      ],
      unknownSyscalls: 'skip',
    },
    syscall: 'kill',
    args: [0n, 0n, 0n, 0n, 200n, 0n],
    meaning: Act.errno(1),
    libseccomp: Act.allow,
  },
};

/** Every pinned bug. */
export const KNOWN_LIBSECCOMP_BUGS: readonly KnownLibseccompBug[] = [ruleMerge];

/** The pinned bug that can explain a disagreement on a syscall with these rules, if any. */
export function explainDisagreement(rules: readonly RuleShape[]): KnownLibseccompBug | undefined {
  return KNOWN_LIBSECCOMP_BUGS.find((b) => b.canExplain(rules));
}
