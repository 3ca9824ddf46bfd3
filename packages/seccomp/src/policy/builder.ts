import type { ArchName } from '../arch.js';
import { Act, type Action, type ArgComparison, type Policy, type Rule, type RuleOrder } from './model.js';
import { resolvePolicy, type ShadowedRule } from './validate.js';

/** Builds {@link ArgComparison}s on one argument; see {@link arg}. */
export interface ArgSelector {
  /** `arg == value`, unsigned (SCMP_CMP_EQ). `value` is converted with `BigInt()` and must be 0..2^64-1 (a negative such as AT_FDCWD is rejected by {@link compile}); on i386/arm only its low 32 bits count. */
  eq(value: number | bigint): ArgComparison;
  /** `arg != value`, unsigned (SCMP_CMP_NE). */
  ne(value: number | bigint): ArgComparison;
  /** `arg < value`, unsigned (SCMP_CMP_LT): `-1` as a register value is the largest number, not below 0. */
  lt(value: number | bigint): ArgComparison;
  /** `arg <= value`, unsigned (SCMP_CMP_LE). */
  le(value: number | bigint): ArgComparison;
  /** `arg > value`, unsigned (SCMP_CMP_GT). */
  gt(value: number | bigint): ArgComparison;
  /** `arg >= value`, unsigned (SCMP_CMP_GE). */
  ge(value: number | bigint): ArgComparison;
  /** `(arg & mask) == value`. */
  maskedEq(mask: number | bigint, value: number | bigint): ArgComparison;
}

/**
 * Comparisons on argument `index` (0..5).
 *
 * @example
 * ```ts
 * policy.rule('socket', Act.allow, arg(0).eq(1)); // AF_UNIX only
 * ```
 */
export function arg(index: number): ArgSelector {
  const c = (op: ArgComparison['op'], value: number | bigint): ArgComparison => ({ index, op, value: BigInt(value) });
  return {
    eq: (v) => c('eq', v),
    ne: (v) => c('ne', v),
    lt: (v) => c('lt', v),
    le: (v) => c('le', v),
    gt: (v) => c('gt', v),
    ge: (v) => c('ge', v),
    maskedEq: (mask, v) => ({
      index,
      op: 'masked_eq',
      mask: BigInt(mask),
      value: BigInt(v),
    }),
  };
}

/**
 * A fluent builder of a {@link Policy}; `build()` returns the plain object
 * (validation happens in {@link compile}). Rules combine as libseccomp
 * combines them unless {@link PolicyBuilder.ruleOrder} asks for first-match.
 * To change a rule of an existing policy (e.g. {@link kcDefaultPolicy}),
 * start from it with {@link PolicyBuilder.from} and use `override` or
 * `remove`: an added rule can be shadowed by one already there
 * ({@link PolicyBuilder.shadowed} lists those).
 *
 * @example
 * ```ts
 * const p = policy(Act.errno(1)).allow('read', 'write', 'exit_group')
 *   .rule('socket', Act.allow, arg(0).eq(1)).kill('ptrace').build();
 * const noSockets = PolicyBuilder.from(kcDefaultPolicy()).override('socket', Act.errno(1)).build();
 * ```
 */
export class PolicyBuilder {
  private rules: Rule[] = [];
  private arches: ArchName[];
  private badArch: Action | undefined;
  private enosys: string | undefined;
  private order: RuleOrder | undefined;
  private unknown: Policy['unknownSyscalls'];

  /**
   * A builder holding a copy of `p` (rules, arches, actions, options), to
   * change it with {@link PolicyBuilder.override}, {@link PolicyBuilder.remove}
   * or more rules; `p` itself is not modified.
   *
   * @example
   * ```ts
   * const p = PolicyBuilder.from(kcDefaultPolicy()).remove('ioctl').build();
   * ```
   */
  static from(p: Policy): PolicyBuilder {
    const b = new PolicyBuilder(p.defaultAction, p.arches);
    b.rules = p.rules.map((r) => ({ ...r }));
    b.badArch = p.badArchAction;
    b.enosys = p.enosysAfter;
    b.order = p.ruleOrder;
    b.unknown = p.unknownSyscalls;
    return b;
  }

  constructor(
    private readonly defaultAction: Action,
    arches: readonly ArchName[] = ['x86_64'],
  ) {
    this.arches = [...arches];
  }

  /** Sets the architectures (first = tested first). */
  forArches(...arches: ArchName[]): this {
    this.arches = arches;
    return this;
  }

  /** Adds one rule with optional argument comparisons (all must hold). */
  rule(syscall: string, action: Action, ...args: ArgComparison[]): this {
    this.rules.push(args.length ? { syscall, action, args } : { syscall, action });
    return this;
  }

  /** Allows the named system calls unconditionally. */
  allow(...syscalls: string[]): this {
    return this.each(syscalls, Act.allow);
  }

  /** Makes the named system calls fail with `errno`. */
  errno(errno: number, ...syscalls: string[]): this {
    return this.each(syscalls, Act.errno(errno));
  }

  /** Kills the whole process (SIGSYS) on the named system calls. */
  kill(...syscalls: string[]): this {
    return this.each(syscalls, Act.killProcess);
  }

  /** Sends the named system calls to the user-notification supervisor. */
  notify(...syscalls: string[]): this {
    return this.each(syscalls, Act.userNotif);
  }

  /** Logs and allows the named system calls. */
  log(...syscalls: string[]): this {
    return this.each(syscalls, Act.log);
  }

  /** The action for calls of another architecture (default kill_process). */
  badArchAction(action: Action): this {
    this.badArch = action;
    return this;
  }

  /** Unnamed system calls newer than `syscall` return ENOSYS (see {@link Policy.enosysAfter}). */
  enosysAfter(syscall: string): this {
    this.enosys = syscall;
    return this;
  }

  /**
   * How rules of one syscall combine (see {@link Policy.ruleOrder}); the
   * default is `'libseccomp'`, as runc. Ask for `'first-match'` to have the
   * first rule whose comparisons hold decide.
   */
  ruleOrder(order: RuleOrder): this {
    this.order = order;
    return this;
  }

  /**
   * Replaces every rule for `syscall` with one rule (`action`, when all of
   * `args` hold), at the place of the first one replaced (or at the end).
   * The way to deny a call that an existing policy allows: appending a deny
   * would be shadowed by the allow.
   *
   * @example
   * ```ts
   * PolicyBuilder.from(kcDefaultPolicy()).override('socket', Act.errno(1)); // no sockets at all
   * ```
   */
  override(syscall: string, action: Action, ...args: ArgComparison[]): this {
    const at = this.rules.findIndex((r) => r.syscall === syscall);
    const rule: Rule = args.length ? { syscall, action, args } : { syscall, action };
    this.remove(syscall);
    this.rules.splice(at < 0 ? this.rules.length : at, 0, rule);
    return this;
  }

  /** Drops every rule for the named system calls: they get the default action (or ENOSYS, per `enosysAfter`). */
  remove(...syscalls: string[]): this {
    this.rules = this.rules.filter((r) => !syscalls.includes(r.syscall));
    return this;
  }

  /**
   * The rules of the policy built so far that would never decide a call,
   * because another rule of the same syscall with a different action always
   * decides first (what `compile(...).shadowed` reports).
   *
   * @throws {@link SeccompError} `INVALID_ARGUMENT` for a policy {@link compile} would refuse.
   */
  shadowed(): ShadowedRule[] {
    return resolvePolicy(this.build()).shadowed;
  }

  /** The policy as a plain object. */
  build(): Policy {
    const p: Policy = {
      defaultAction: this.defaultAction,
      arches: [...this.arches],
      rules: this.rules.map((r) => ({ ...r })),
    };
    if (this.badArch) p.badArchAction = this.badArch;
    if (this.enosys) p.enosysAfter = this.enosys;
    if (this.order) p.ruleOrder = this.order;
    if (this.unknown) p.unknownSyscalls = this.unknown;
    return p;
  }

  private each(syscalls: string[], action: Action): this {
    for (const s of syscalls) this.rules.push({ syscall: s, action });
    return this;
  }
}

/** Starts a {@link PolicyBuilder} with a default action (and arches, default `['x86_64']`). */
export function policy(defaultAction: Action, arches?: readonly ArchName[]): PolicyBuilder {
  return new PolicyBuilder(defaultAction, arches);
}
