import { invalidArgument } from '@kc/native';
import { type ArchInfo, type ArchName, archInfo, isArchName } from '../arch.js';
import { SeccompError } from '../errors.js';
import type { Action, ArgComparison, Policy, RuleOrder } from './model.js';
import { actionValue, formatAction } from './model.js';
import { multiplexedArgs, multiplexedForm } from './multiplex.js';

/** MAX_ERRNO (include/linux/err.h): larger values are not errors to libc. */
const MAX_ERRNO = 4095;
const U64_MAX = (1n << 64n) - 1n;

/** An argument comparison with its mask made explicit and truncated to the arch's width. */
export interface NormalizedArg {
  /** Argument position, 0..5. */
  index: number;
  /** The comparison, as in {@link ArgComparison.op}. */
  op: ArgComparison['op'];
  /** The operand, truncated to the low 32 bits on 32-bit ABIs (i386, arm). */
  value: bigint;
  /** For `masked_eq` the given mask (all ones when absent), otherwise all ones; truncated like `value`. */
  mask: bigint;
}

/** A rule resolved to one arch's number. */
export interface ResolvedRule {
  /** Position in `policy.rules`, for error messages and ordering. */
  ruleIndex: number;
  /** The system call's number on this arch (x32 numbers include {@link X32_SYSCALL_BIT}). */
  nr: number;
  /** Comparisons that must all hold; empty for an unconditional rule (a shared array: never mutate it). */
  args: NormalizedArg[];
  /** The rule's action, unchanged. */
  action: Action;
  /**
   * Set on the copy of a rule that covers its multiplexed form on i386:
   * `socketcall` or `ipc` (then `nr` is the multiplexer's and `args` start with
   * the call selector on argument 0). Absent for a rule as written.
   */
  via?: 'socketcall' | 'ipc';
}

/** One architecture's part of a policy. */
export interface ResolvedArch {
  /** The arch's audit value, argument width and syscall table. */
  info: ArchInfo;
  /** Rules by number, each list in policy order. */
  rules: Map<number, ResolvedRule[]>;
  /** Half-open ranges [start, end) of numbers newer than `enosysAfter`: unnamed ones return ENOSYS. */
  enosysRanges: [number, number][];
}

/**
 * A rule that never decides a call of its system call on one arch, because
 * another rule of that syscall with a different action always decides first
 * (under `ruleOrder: 'libseccomp'`, the syscall's first unconditional rule).
 * The policy still compiles: this is what libseccomp and runc do silently.
 */
export interface ShadowedRule {
  /** Position of the shadowed rule in `policy.rules`. */
  ruleIndex: number;
  /** Its system call. */
  syscall: string;
  /** The arch on which it is shadowed (usually every arch of the policy: one entry each). */
  arch: ArchName;
  /** Position in `policy.rules` of the rule that decides instead. */
  by: number;
  /** What that rule does instead. */
  action: Action;
}

/** A validated policy, as the compiler consumes it. */
export interface ResolvedPolicy {
  /** The policy's `defaultAction`, checked. */
  defaultAction: Action;
  /** The policy's `badArchAction`, or kill_process when it had none. */
  badArchAction: Action;
  /** One entry per policy arch, in the policy's order (the order the filter tests AUDIT_ARCH values). */
  arches: ResolvedArch[];
  /** How the rules of one syscall combined (the policy's `ruleOrder`, default `'libseccomp'`). */
  ruleOrder: RuleOrder;
  /** Rules that never decide a call (see {@link ShadowedRule}), in policy order; empty when every rule can. */
  shadowed: ShadowedRule[];
}

const ACTION_KINDS = new Set<string>(['kill_process', 'kill_thread', 'trap', 'errno', 'user_notif', 'trace', 'log', 'allow']);
const ARG_OPS = new Set<string>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq']);

function checkAction(a: Action, field: string): void {
  const bad = (what: string) => invalidArgument(SeccompError, field, what, 'see seccomp(2) for the ranges');
  if (a === null || typeof a !== 'object') throw bad('is not an action');
  if (a.kind === 'errno' && (!Number.isInteger(a.errno) || a.errno < 0 || a.errno > MAX_ERRNO)) {
    throw bad(`errno ${a.errno} is out of range 0..${MAX_ERRNO}`);
  }
  if ((a.kind === 'trace' || a.kind === 'trap') && a.data !== undefined && (!Number.isInteger(a.data) || a.data < 0 || a.data > 0xffff)) {
    throw bad(`data ${a.data} is out of range 0..65535`);
  }
  if (!ACTION_KINDS.has(a.kind)) throw bad(`unknown action kind '${String(a.kind)}'`);
}

function normalizeArg(c: ArgComparison, bits: 32 | 64, field: string): NormalizedArg {
  if (!Number.isInteger(c.index) || c.index < 0 || c.index > 5) {
    throw invalidArgument(SeccompError, `${field}.index`, `argument index ${c.index} is not 0..5`, 'system calls have at most six arguments');
  }
  if (!ARG_OPS.has(c.op)) throw invalidArgument(SeccompError, `${field}.op`, `unknown operator '${c.op}'`);
  for (const [k, v] of [
    ['value', c.value],
    ['mask', c.mask],
  ] as const) {
    if (v === undefined) continue;
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
      throw invalidArgument(SeccompError, `${field}.${k}`, `${String(v)} is not an unsigned 64-bit bigint`);
    }
  }
  if (c.mask !== undefined && c.op !== 'masked_eq') throw invalidArgument(SeccompError, `${field}.mask`, 'a mask is only meaningful with masked_eq');
  const width = bits === 32 ? 0xffffffffn : U64_MAX;
  const mask = (c.op === 'masked_eq' ? (c.mask ?? U64_MAX) : U64_MAX) & width;
  return { index: c.index, op: c.op, value: c.value & width, mask };
}

/** Shared by every rule without argument conditions (never mutated). */
const NO_ARGS: NormalizedArg[] = [];

const argKey = (args: NormalizedArg[]) =>
  args
    .map((a) => `${a.index}${a.op}${a.value}/${a.mask}`)
    .sort()
    .join('&');
// actionValue is the action's meaning to the kernel: equal values, same action.
const sameAction = (a: Action, b: Action) => actionValue(a) === actionValue(b);

/**
 * Checks a policy and resolves names to numbers per arch.
 *
 * @throws {@link SeccompError} `INVALID_ARGUMENT` naming the field: unknown
 *   arch or syscall, argument index > 5, errno out of range, conflicting rules.
 */
export function resolvePolicy(policy: Policy): ResolvedPolicy {
  checkAction(policy.defaultAction, 'defaultAction');
  const badArchAction = policy.badArchAction ?? { kind: 'kill_process' };
  checkAction(badArchAction, 'badArchAction');
  if (!Array.isArray(policy.arches) || policy.arches.length === 0) {
    throw invalidArgument(SeccompError, 'arches', 'no architecture given', "list at least one, e.g. ['x86_64']");
  }
  policy.arches.forEach((a, i) => {
    if (!isArchName(a)) throw invalidArgument(SeccompError, `arches[${i}]`, `unknown architecture '${a}'`, 'one of x86_64 i386 x32 aarch64 arm riscv64');
    if (policy.arches.indexOf(a) !== i) throw invalidArgument(SeccompError, `arches[${i}]`, `architecture '${a}' is listed twice`);
  });
  const arches: ResolvedArch[] = policy.arches.map((name) => ({
    info: archInfo(name),
    rules: new Map(),
    enosysRanges: [],
  }));
  const skip = policy.unknownSyscalls === 'skip';
  const ruleOrder: RuleOrder = policy.ruleOrder ?? 'libseccomp';
  if (ruleOrder !== 'libseccomp' && ruleOrder !== 'first-match')
    throw invalidArgument(SeccompError, 'ruleOrder', `unknown rule order '${String(ruleOrder)}'`, "'libseccomp' or 'first-match'");
  policy.rules.forEach((rule, ruleIndex) => {
    const field = `rules[${ruleIndex}]`;
    checkAction(rule.action, `${field}.action`);
    if (typeof rule.syscall !== 'string' || rule.syscall === '') throw invalidArgument(SeccompError, `${field}.syscall`, 'missing system call name');
    rule.arches?.forEach((a, i) => {
      if (!policy.arches.includes(a)) throw invalidArgument(SeccompError, `${field}.arches[${i}]`, `'${a}' is not one of the policy's arches`);
    });
    for (const ra of arches) {
      if (rule.arches && !rule.arches.includes(ra.info.name)) continue;
      const nr = Object.hasOwn(ra.info.syscalls, rule.syscall) ? ra.info.syscalls[rule.syscall] : undefined;
      // On i386, `socket` and the like are also reachable as socketcall(SYS_SOCKET, …), semop as ipc(SEMOP, …).
      const mux = multiplexedForm(ra.info, rule.syscall);
      if (nr === undefined && !mux) {
        if (skip) continue;
        throw invalidArgument(
          SeccompError,
          `${field}.syscall`,
          `unknown system call '${rule.syscall}' on ${ra.info.name}`,
          'check the name, or limit the rule with `arches`',
        );
      }
      const args = rule.args && rule.args.length > 0 ? rule.args.map((c, j) => normalizeArg(c, ra.info.argBits, `${field}.args[${j}]`)) : NO_ARGS;
      if (nr !== undefined) addRule(ra, { ruleIndex, nr, args, action: rule.action }, policy, ruleOrder);
      if (mux) addRule(ra, { ruleIndex, nr: mux.nr, args: multiplexedArgs(mux, args), action: rule.action, via: mux.via }, policy, ruleOrder);
    }
  });
  if (policy.enosysAfter !== undefined) {
    for (const ra of arches) {
      const nr = Object.hasOwn(ra.info.syscalls, policy.enosysAfter) ? ra.info.syscalls[policy.enosysAfter] : undefined;
      if (nr === undefined) throw invalidArgument(SeccompError, 'enosysAfter', `unknown system call '${policy.enosysAfter}' on ${ra.info.name}`);
      ra.enosysRanges = enosysRanges(ra.info.name, nr);
    }
  }
  const shadowed = arches.flatMap((ra) => (ruleOrder === 'libseccomp' ? unconditionalWins(ra, policy) : []));
  shadowed.sort((a, b) => a.ruleIndex - b.ruleIndex);
  return { defaultAction: policy.defaultAction, badArchAction, arches, ruleOrder, shadowed };
}

/**
 * libseccomp's rule for one syscall, as its filters show (libseccomp 2.5.4,
 * src/bpf/rule-order-differential.test.ts): once a rule without conditions
 * is in, a later rule for the syscall is dropped, and a rule without
 * conditions that arrives later throws away the conditional rules already in
 * (src/db.c `db_rule_add`). Either way the first unconditional rule decides
 * every call. Keeps only that rule in each such list and returns the others whose
 * action differs (same-action ones change nothing). Multiplexed copies are
 * left out of the report: their rule still holds for its direct number.
 */
function unconditionalWins(ra: ResolvedArch, policy: Policy): ShadowedRule[] {
  const out: ShadowedRule[] = [];
  for (const [nr, list] of ra.rules) {
    const winner = list.find((r) => r.args.length === 0);
    if (!winner || list.length === 1) continue;
    for (const r of list)
      if (r !== winner && !r.via && !sameAction(r.action, winner.action))
        out.push({
          ruleIndex: r.ruleIndex,
          syscall: policy.rules[r.ruleIndex]?.syscall ?? '',
          arch: ra.info.name,
          by: winner.ruleIndex,
          action: winner.action,
        });
    ra.rules.set(nr, [winner]);
  }
  return out;
}

/**
 * Appends `r` to its number's list, in policy order. Two rules with different
 * actions that compare exactly the same arguments conflict (libseccomp
 * refuses them too, EEXIST). Under `'first-match'`, so does a rule that an
 * earlier unconditional one with another action makes unreachable, except a
 * multiplexed copy behind an earlier unconditional rule for the multiplexer
 * itself (e.g. `socketcall` denied outright), which is dropped: the policy
 * already decided every socketcall. Under `'libseccomp'` unconditional rules
 * are settled afterwards by {@link unconditionalWins}.
 */
function addRule(ra: ResolvedArch, r: ResolvedRule, policy: Policy, order: RuleOrder): void {
  let list = ra.rules.get(r.nr);
  if (!list) {
    list = [];
    ra.rules.set(r.nr, list);
  }
  for (const prev of list) {
    if (sameAction(prev.action, r.action)) continue;
    const unconditional = prev.args.length === 0 || r.args.length === 0;
    if (order === 'libseccomp' && unconditional) continue;
    if (r.via && prev.args.length === 0) return;
    if (prev.args.length === 0 || argKey(prev.args) === argKey(r.args)) {
      const name = (x: ResolvedRule) => `'${policy.rules[x.ruleIndex]?.syscall}'${x.via ? ` (as ${x.via})` : ''}`;
      throw invalidArgument(
        SeccompError,
        `rules[${r.ruleIndex}]`,
        `conflicts with rules[${prev.ruleIndex}]: ${name(r)} on ${ra.info.name} would be both ${formatAction(prev.action)} and ${formatAction(r.action)}`,
        r.via || prev.via
          ? `on ${ra.info.name} socket and System V IPC calls are also filtered through socketcall/ipc, with argument 0 as the call: make the rules agree, or limit one with \`arches\``
          : prev.args.length === 0
            ? 'the earlier rule decides every call: remove or replace it (PolicyBuilder.override/remove)'
            : 'remove one of the rules or make their argument conditions differ',
      );
    }
  }
  list.push(r);
}

/**
 * Numbers above `after` that a newer kernel may give to new system calls:
 * up to 1023 past the arch's base (years of new calls), minus x32's 512..547,
 * which are old x32-only entries (arch/x86/entry/syscalls/syscall_64.tbl).
 */
function enosysRanges(arch: ArchName, after: number): [number, number][] {
  const base = arch === 'x32' ? 0x40000000 : 0;
  const holes: [number, number][] = arch === 'x32' ? [[base + 512, base + 548]] : [];
  const out: [number, number][] = [];
  let start = after + 1;
  for (const [hs, he] of [...holes, [base + 1024, base + 1024] as [number, number]]) {
    if (start < hs) out.push([start, hs]);
    start = Math.max(start, he);
  }
  return out;
}

/** The names of a policy's arches, for messages. */
export function archList(p: ResolvedPolicy): ArchName[] {
  return p.arches.map((a) => a.info.name);
}
