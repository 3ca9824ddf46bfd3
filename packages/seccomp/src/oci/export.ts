import { invalidArgument } from '@kc/native';
import { SeccompError } from '../errors.js';
import { type ArgComparison, actionValue, type Policy, type Rule } from '../policy/model.js';
import { actionToOci, OCI_ARCH } from './names.js';
import type { OciSeccomp, OciSeccompArg } from './types.js';

const OPS: Record<ArgComparison['op'], OciSeccompArg['op']> = {
  ne: 'SCMP_CMP_NE',
  lt: 'SCMP_CMP_LT',
  le: 'SCMP_CMP_LE',
  eq: 'SCMP_CMP_EQ',
  ge: 'SCMP_CMP_GE',
  gt: 'SCMP_CMP_GT',
  masked_eq: 'SCMP_CMP_MASKED_EQ',
};

/** For each syscall with a rule without argument conditions, the position of the first such rule. */
function unconditionalRules(policy: Policy): Map<string, number> {
  const out = new Map<string, number>();
  policy.rules.forEach((r, i) => {
    if (!r.args?.length && !out.has(r.syscall)) out.set(r.syscall, i);
  });
  return out;
}

/**
 * Converts a kc {@link Policy} to the OCI `linux.seccomp` object (runc, crun,
 * podman read it), deciding every call as the policy does under libseccomp's
 * rule order: rules a syscall's unconditional rule hides (other actions) are
 * left out. Consecutive rules with the same action and arguments share
 * one entry. `enosysAfter` has no OCI field: runtimes add their own ENOSYS
 * handling, so it is dropped.
 *
 * @throws {@link SeccompError} `INVALID_ARGUMENT` for a rule limited to some arches (OCI cannot say that), or, under
 *   `ruleOrder: 'first-match'`, a conditional rule that decides before an unconditional one with another action (runtimes would not).
 */
export function exportOciSeccomp(policy: Policy, flags: readonly string[] = []): OciSeccomp {
  const def = actionToOci(policy.defaultAction);
  const out: OciSeccomp = {
    defaultAction: def.action,
    architectures: [],
    syscalls: [],
  };
  if (def.errnoRet !== undefined) out.defaultErrnoRet = def.errnoRet;
  for (const a of policy.arches) out.architectures?.push(Object.entries(OCI_ARCH).find(([, k]) => k === a)?.[0] as string);
  if (flags.length) out.flags = [...flags];
  let lastKey = '';
  const decider = unconditionalRules(policy);
  policy.rules.forEach((r, i) => {
    // Runtimes let a syscall's unconditional rule win (libseccomp): leave out the rules it hides, which would otherwise
    // come back to life when the runtime drops an unconditional rule that does what the default does.
    const winner = decider.get(r.syscall);
    if (winner !== undefined && winner !== i && actionValue((policy.rules[winner] as Rule).action) !== actionValue(r.action)) {
      if (policy.ruleOrder === 'first-match' && i < winner)
        throw invalidArgument(
          SeccompError,
          `rules[${i}]`,
          `decides before the unconditional rules[${winner}] under first-match, but OCI runtimes let the unconditional rule win`,
          "give the policy ruleOrder 'libseccomp', or remove one of the rules",
        );
      return;
    }
    if (r.arches) throw invalidArgument(SeccompError, `rules[${i}].arches`, 'the OCI format has no per-rule architectures', 'export one policy per arch');
    const act = actionToOci(r.action);
    // Runtimes turn several comparisons of one argument into separate rules (libseccomp cannot AND them): OR, not AND.
    const indexes = (r.args ?? []).map((c) => c.index);
    if (new Set(indexes).size !== indexes.length)
      throw invalidArgument(
        SeccompError,
        `rules[${i}].args`,
        'compares one argument twice, which OCI runtimes read as either-or',
        'split the rule, or use one comparison per argument',
      );
    const args = (r.args ?? []).map((c, j): OciSeccompArg => {
      // OCI values are JSON numbers here: above 2^53 Number() would silently change the compared value.
      for (const [k, v] of [
        ['value', c.value],
        ['mask', c.mask],
      ] as const)
        if (v !== undefined && (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)))
          throw invalidArgument(
            SeccompError,
            `rules[${i}].args[${j}].${k}`,
            `${v} cannot be written exactly as a JSON number`,
            'keep compared values at or below 2^53 - 1 when exporting to OCI',
          );
      // masked_eq without a mask compares every bit: that is plain equality, which OCI can say exactly.
      if (c.op === 'masked_eq' && c.mask === undefined) return { index: c.index, value: Number(c.value), op: OPS.eq };
      return c.op === 'masked_eq'
        ? {
            index: c.index,
            value: Number(c.mask),
            valueTwo: Number(c.value),
            op: OPS[c.op],
          }
        : { index: c.index, value: Number(c.value), op: OPS[c.op] };
    });
    const key = JSON.stringify([act, args]);
    const last = out.syscalls?.[out.syscalls.length - 1];
    if (last && key === lastKey) last.names.push(r.syscall);
    else {
      const entry = {
        names: [r.syscall],
        ...act,
        ...(args.length ? { args } : {}),
      };
      out.syscalls?.push(entry);
    }
    lastKey = key;
  });
  return out;
}
