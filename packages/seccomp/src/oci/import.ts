import { invalidArgument } from '@kc/native';
import type { ArchName } from '../arch.js';
import { ARCH_NAMES, archInfo, nativeArch } from '../arch.js';
import { SeccompError } from '../errors.js';
import { type ArgComparison, type ArgOp, actionValue, type Policy, type Rule } from '../policy/model.js';
import { multiplexedForm } from '../policy/multiplex.js';
import { SYSCALL_TABLES_KERNEL } from '../tables/kernel.js';
import { actionFromOci, OCI_ARCH } from './names.js';
import type { OciSeccomp, OciSeccompArg } from './types.js';

/**
 * Something in a profile that the import carried over differently than
 * written, for the caller to show (kc's container runtime emits each as a
 * process warning). Never an error: runc and libseccomp ignore the same.
 */
export interface OciImportWarning {
  /**
   * `UNKNOWN_SYSCALL`: a name in no syscall table kc has (a typo, or a call
   * newer than the kernel of kc's tables), left out as runc leaves it out.
   * `UNKNOWN_ARCH`: an `SCMP_ARCH_*` kc has no table for, left out.
   */
  code: 'UNKNOWN_SYSCALL' | 'UNKNOWN_ARCH';
  /** The syscall or arch name. */
  name: string;
  /** Where it appears: `syscalls[3].names[0]` or `architectures[2]` (the first place, for a repeated name). */
  field: string;
  /** A sentence for people. */
  message: string;
}

/** The result of importing an OCI profile: the policy plus what could not be carried over. */
export interface OciImport {
  /**
   * The converted policy: `ruleOrder: 'libseccomp'` (as runc builds it),
   * `unknownSyscalls: 'skip'`, the native arch when `architectures` named none
   * kc knows, and without entries whose action is the default action (runc
   * drops those: libseccomp refuses them).
   */
  policy: Policy;
  /** `SECCOMP_FILTER_FLAG_*` names from `flags`. */
  flags: string[];
  /** `SCMP_ARCH_*` names kc has no table for (mips, ppc, s390...), left out. */
  skippedArches: string[];
  /** Syscall names no kc table knows on any arch (see {@link OciImportWarning}), each once, in profile order. */
  unknownSyscalls: string[];
  /** One warning per unknown syscall name and per skipped arch. */
  warnings: OciImportWarning[];
}

/** Whether some arch kc has a table for knows `name`, directly or as a socketcall/ipc call. */
function knownAnywhere(name: string): boolean {
  return ARCH_NAMES.some((a) => Object.hasOwn(archInfo(a).syscalls, name) || multiplexedForm(archInfo(a), name) !== undefined);
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
  // JSON numbers: BigInt() throws a RangeError on fractions, so reject them as input errors. A number at or
  // beyond 2^53 may already be a rounded one (JSON.parse reads 2^53 + 1 as 2^53): only a bigint says it exactly.
  for (const key of ['value', 'valueTwo'] as const) {
    const v: unknown = a[key];
    if (v === undefined || typeof v === 'bigint') continue;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidArgument(SeccompError, `${field}.${key}`, `expected an integer, got ${String(v)}`);
    if (!Number.isSafeInteger(v))
      throw invalidArgument(
        SeccompError,
        `${field}.${key}`,
        `${v} is beyond 2^53 - 1 as a number, so it may have been rounded`,
        'pass it as a bigint: read the JSON with parseOciSeccompJson or parseJsonExact, not JSON.parse',
      );
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
 * Converts an OCI runtime-spec `linux.seccomp` object into a kc {@link Policy}
 * that decides every call as runc's libseccomp filter does. Like runc: names
 * an arch lacks are skipped on that arch, and names no kc table knows are left
 * out (and reported in `unknownSyscalls` and `warnings`); an entry whose
 * action is the default action is dropped; args on distinct indices are ANDed
 * into one rule, while repeated indices make one rule per arg (ORed); an
 * unconditional entry for a syscall wins over its conditional ones wherever
 * it stands (`ruleOrder: 'libseccomp'`); an empty `architectures` means the
 * native arch.
 *
 * Argument operands may be numbers up to 2^53 - 1 or bigints up to 2^64 - 1
 * (read the JSON with {@link parseOciSeccompJson}: `JSON.parse` rounds).
 *
 * @throws {@link SeccompError} `INVALID_ARGUMENT` naming the entry for an unknown action or operator, or an operand that is not an exact integer.
 */
export function importOciSeccomp(oci: OciSeccomp, opts: { enosysAfter?: string } = {}): OciImport {
  if (typeof oci !== 'object' || oci === null || Array.isArray(oci))
    throw invalidArgument(SeccompError, 'seccomp', 'expected an OCI seccomp object', 'pass the parsed linux.seccomp object of config.json');
  if (oci.syscalls != null && !Array.isArray(oci.syscalls)) throw invalidArgument(SeccompError, 'syscalls', 'expected an array');
  const defaultAction = actionFromOci(oci.defaultAction, oci.defaultErrnoRet);
  if (!defaultAction) throw invalidArgument(SeccompError, 'defaultAction', `unknown action '${oci.defaultAction}'`);
  const arches: ArchName[] = [];
  const skippedArches: string[] = [];
  const warnings: OciImportWarning[] = [];
  (oci.architectures ?? []).forEach((a, i) => {
    const k = Object.hasOwn(OCI_ARCH, a) ? OCI_ARCH[a] : undefined;
    if (k && !arches.includes(k)) arches.push(k);
    else if (!k) {
      skippedArches.push(a);
      warnings.push({ code: 'UNKNOWN_ARCH', name: a, field: `architectures[${i}]`, message: `architecture ${a} is left out: kc has no syscall table for it` });
    }
  });
  if (arches.length === 0) arches.push(nativeArch() ?? 'x86_64');
  const rules: Rule[] = [];
  const unknownSyscalls: string[] = [];
  (oci.syscalls ?? []).forEach((s, i) => {
    const action = actionFromOci(s.action, s.errnoRet);
    if (!action) throw invalidArgument(SeccompError, `syscalls[${i}].action`, `unknown action '${s.action}'`);
    if (!Array.isArray(s.names)) throw invalidArgument(SeccompError, `syscalls[${i}].names`, 'expected an array of syscall names');
    const args = (s.args ?? []).map((a, j) => comparison(a, `syscalls[${i}].args[${j}]`));
    const distinct = new Set(args.map((a) => a.index)).size === args.length;
    // runc skips these (libseccomp refuses a rule that does what the default does). Kept, an unconditional
    // one would win over the syscall's conditional rules (ruleOrder 'libseccomp') and change their meaning.
    const redundant = actionValue(action) === actionValue(defaultAction);
    s.names.forEach((name, j) => {
      if (typeof name !== 'string' || name === '') throw invalidArgument(SeccompError, `syscalls[${i}].names[${j}]`, 'expected a syscall name');
      if (!knownAnywhere(name)) {
        if (!unknownSyscalls.includes(name)) {
          unknownSyscalls.push(name);
          warnings.push({
            code: 'UNKNOWN_SYSCALL',
            name,
            field: `syscalls[${i}].names[${j}]`,
            message: `syscall ${name} is left out: no table of kc (Linux ${SYSCALL_TABLES_KERNEL}) knows it, so calls to it get the default action as under runc`,
          });
        }
        return;
      }
      if (redundant) return;
      if (distinct) rules.push(args.length ? { syscall: name, action, args } : { syscall: name, action });
      else for (const a of args) rules.push({ syscall: name, action, args: [a] });
    });
  });
  const policy: Policy = {
    defaultAction,
    arches,
    rules,
    ruleOrder: 'libseccomp',
    unknownSyscalls: 'skip',
  };
  if (opts.enosysAfter) policy.enosysAfter = opts.enosysAfter;
  return { policy, flags: oci.flags ?? [], skippedArches, unknownSyscalls, warnings };
}
