import { invalidArgument } from '@kc/native';
import type { ArchName } from '../arch.js';
import { nativeArch } from '../arch.js';
import { SeccompError } from '../errors.js';
import type { ArgComparison, ArgOp, Policy, Rule } from '../policy/model.js';
import { actionFromOci, OCI_ARCH } from './names.js';
import type { OciSeccomp, OciSeccompArg } from './types.js';

/** The result of importing an OCI profile: the policy plus what could not be carried over. */
export interface OciImport {
  /** The converted policy, with `unknownSyscalls: 'skip'` and the native arch when `architectures` named none kc knows. */
  policy: Policy;
  /** `SECCOMP_FILTER_FLAG_*` names from `flags`. */
  flags: string[];
  /** `SCMP_ARCH_*` names kc has no table for (mips, ppc, s390...), left out. */
  skippedArches: string[];
}

const OPS: Record<OciSeccompArg['op'], ArgOp> = {
  SCMP_CMP_NE: 'ne',
  SCMP_CMP_LT: 'lt',
  SCMP_CMP_LE: 'le',
  SCMP_CMP_EQ: 'eq',
  SCMP_CMP_GE: 'ge',
  SCMP_CMP_GT: 'gt',
  SCMP_CMP_MASKED_EQ: 'masked_eq',
};

function comparison(a: OciSeccompArg, field: string): ArgComparison {
  const op = Object.hasOwn(OPS, a.op) ? OPS[a.op] : undefined;
  if (!op) throw invalidArgument(SeccompError, `${field}.op`, `unknown operator '${a.op}'`);
  // JSON numbers: BigInt() throws a RangeError on fractions, so reject them as input errors.
  for (const key of ['value', 'valueTwo'] as const) {
    const v: unknown = a[key];
    if (v !== undefined && typeof v !== 'bigint' && !(typeof v === 'number' && Number.isInteger(v)))
      throw invalidArgument(SeccompError, `${field}.${key}`, `expected an integer, got ${String(v)}`);
  }
  if (op === 'masked_eq')
    return {
      index: a.index,
      op,
      mask: BigInt(a.value),
      value: BigInt(a.valueTwo ?? 0),
    };
  return { index: a.index, op, value: BigInt(a.value) };
}

/**
 * Converts an OCI runtime-spec `linux.seccomp` object into a kc {@link Policy}.
 * Like runc: names an arch lacks are skipped on that arch; args on distinct
 * indices are ANDed into one rule, while repeated indices make one rule per
 * arg (ORed); an empty `architectures` means the native arch.
 *
 * @throws {@link SeccompError} `INVALID_ARGUMENT` naming the entry for an unknown action or operator.
 */
export function importOciSeccomp(oci: OciSeccomp, opts: { enosysAfter?: string } = {}): OciImport {
  if (typeof oci !== 'object' || oci === null || Array.isArray(oci))
    throw invalidArgument(SeccompError, 'seccomp', 'expected an OCI seccomp object', 'pass the parsed linux.seccomp object of config.json');
  if (oci.syscalls != null && !Array.isArray(oci.syscalls)) throw invalidArgument(SeccompError, 'syscalls', 'expected an array');
  const defaultAction = actionFromOci(oci.defaultAction, oci.defaultErrnoRet);
  if (!defaultAction) throw invalidArgument(SeccompError, 'defaultAction', `unknown action '${oci.defaultAction}'`);
  const arches: ArchName[] = [];
  const skippedArches: string[] = [];
  for (const a of oci.architectures ?? []) {
    const k = OCI_ARCH[a];
    if (k && !arches.includes(k)) arches.push(k);
    else if (!k) skippedArches.push(a);
  }
  if (arches.length === 0) arches.push(nativeArch() ?? 'x86_64');
  const rules: Rule[] = [];
  (oci.syscalls ?? []).forEach((s, i) => {
    const action = actionFromOci(s.action, s.errnoRet);
    if (!action) throw invalidArgument(SeccompError, `syscalls[${i}].action`, `unknown action '${s.action}'`);
    const args = (s.args ?? []).map((a, j) => comparison(a, `syscalls[${i}].args[${j}]`));
    const distinct = new Set(args.map((a) => a.index)).size === args.length;
    for (const name of s.names) {
      if (distinct) rules.push(args.length ? { syscall: name, action, args } : { syscall: name, action });
      else for (const a of args) rules.push({ syscall: name, action, args: [a] });
    }
  });
  const policy: Policy = {
    defaultAction,
    arches,
    rules,
    unknownSyscalls: 'skip',
  };
  if (opts.enosysAfter) policy.enosysAfter = opts.enosysAfter;
  return { policy, flags: oci.flags ?? [], skippedArches };
}
