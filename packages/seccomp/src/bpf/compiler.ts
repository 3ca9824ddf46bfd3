import { X32_SYSCALL_BIT } from '../arch.js';
import { type Action, actionValue, type Policy } from '../policy/model.js';
import { type ResolvedArch, type ResolvedPolicy, type ResolvedRule, resolvePolicy, type ShadowedRule } from '../policy/validate.js';
import { Assembler, type Label } from './assembler.js';
import { emitComparison } from './compare.js';
import { buildDecisionTree, type DecisionTree, type NumberInterval } from './decision-tree.js';
import { emitEqSet, groupEqRules } from './eq-set.js';
import { encodeProgram, OP, SECCOMP_DATA, type SockFilter } from './instructions.js';

/** A compiled filter: the program, its encoding and the resolved policy it came from. */
export interface CompiledFilter {
  /** `struct sock_filter[]`, ready for seccomp(SECCOMP_SET_MODE_FILTER). */
  bytes: Buffer;
  /** The same program as `bytes`, one entry per 8-byte `struct sock_filter` (at most {@link BPF_MAXINSNS}); input for {@link emulate} and {@link disassemble}. */
  instructions: SockFilter[];
  /** The validated policy (numbers per arch), e.g. for {@link policyMeaning}. */
  resolved: ResolvedPolicy;
  /**
   * Rules that never decide a call because another rule of their syscall
   * always decides first (`resolved.shadowed`): e.g. a deny appended after an
   * unconditional allow. Empty for a policy where every rule can matter.
   */
  shadowed: readonly ShadowedRule[];
}

/** What a range of numbers does: return an action, or run the argument checks of one syscall. `key` is equal for equal outcomes. */
type Outcome = { kind: 'action'; action: Action; key: string } | { kind: 'chain'; rules: ResolvedRule[]; fallback: Action; key: string };

const ENOSYS = 38;
const TOP = 2 ** 32;

function actionOutcome(action: Action): Outcome {
  return { kind: 'action', action, key: `ret:${actionValue(action)}` };
}

function chainOutcome(rules: ResolvedRule[], fallback: Action): Outcome {
  const parts = rules.map((r) => `${actionValue(r.action)}(${r.args.map((a) => `${a.index}${a.op}${a.value}/${a.mask}`).join(',')})`);
  return {
    kind: 'chain',
    rules,
    fallback,
    key: `chain:${parts.join('|')}:${actionValue(fallback)}`,
  };
}

/** Rules after an unconditional one can never match; a chain that only ever yields one action is that action. */
function outcomeOfRules(rules: ResolvedRule[], fallback: Action): Outcome {
  const live: ResolvedRule[] = [];
  let end = fallback;
  for (const r of rules) {
    if (r.args.length === 0) {
      end = r.action;
      break;
    }
    live.push(r);
  }
  const v = actionValue(end);
  while (live.length && actionValue((live[live.length - 1] as ResolvedRule).action) === v) live.pop();
  return live.length === 0 ? actionOutcome(end) : chainOutcome(live, end);
}

/** Sorted numbers of an arch's table, to weigh intervals by how many real syscalls they hold. */
function countIn(sorted: readonly number[], start: number, end: number): number {
  const lower = (x: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if ((sorted[m] as number) < x) lo = m + 1;
      else hi = m;
    }
    return lo;
  };
  return lower(end) - lower(start);
}

const sortedTables = new Map<string, readonly number[]>();

/** An arch's syscall numbers in ascending order, computed once per process. */
function sortedNumbers(a: ResolvedArch): readonly number[] {
  let t = sortedTables.get(a.info.name);
  if (!t) {
    t = Object.values(a.info.syscalls).sort((x, y) => x - y);
    sortedTables.set(a.info.name, t);
  }
  return t;
}

/**
 * How much a call of this arch counts in the search tree of its group. x32
 * shares x86_64's AUDIT_ARCH and entry point, but almost nothing runs as x32
 * (most distribution kernels build without CONFIG_X86_X32_ABI): weighing its
 * calls at 1/64 keeps the one split on bit 30 near the root's x32 side instead
 * of pushing every x86_64 call a level deeper.
 */
function archWeight(a: ResolvedArch): number {
  return a.info.name === 'x32' ? 1 / 64 : 1;
}

/** The intervals of one arch over its own number range [base, limit). */
function archIntervals(p: ResolvedPolicy, a: ResolvedArch, base: number, limit: number): NumberInterval<Outcome>[] {
  const table = sortedNumbers(a);
  const scale = archWeight(a);
  const dflt = actionOutcome(p.defaultAction);
  const points: { start: number; outcome: Outcome }[] = [{ start: base, outcome: dflt }];
  const mark = (start: number, outcome: Outcome) => points.push({ start, outcome });
  const special = new Map<number, Outcome>();
  for (const [nr, rules] of a.rules) special.set(nr, outcomeOfRules(rules, p.defaultAction));
  for (const [s, e] of a.enosysRanges) {
    mark(s, actionOutcome({ kind: 'errno', errno: ENOSYS }));
    mark(e, dflt);
  }
  // Each special number is its own [nr, nr+1); what follows it falls back to what was there before.
  const sortedPoints = () => points.sort((x, y) => x.start - y.start);
  sortedPoints();
  const backdrop = [...points];
  const at = (n: number) => {
    let o: Outcome = dflt;
    for (const pt of backdrop) if (pt.start <= n) o = pt.outcome;
    return o;
  };
  for (const [nr, o] of special) {
    points.push({ start: nr, outcome: o });
    if (!special.has(nr + 1) && nr + 1 < limit) points.push({ start: nr + 1, outcome: at(nr + 1) });
  }
  sortedPoints();
  const out: NumberInterval<Outcome>[] = [];
  points.forEach((pt, i) => {
    const end = i + 1 < points.length ? (points[i + 1] as { start: number }).start : limit;
    if (end <= pt.start) return;
    out.push({
      start: pt.start,
      end,
      weight: countIn(table, pt.start, end) * scale,
      outcome: pt.outcome,
    });
  });
  return out;
}

/** All intervals of one audit-arch group over [0, 2^32): x86_64 owns numbers below bit 30, x32 those above. */
function groupIntervals(p: ResolvedPolicy, group: ResolvedArch[]): NumberInterval<Outcome>[] {
  const bad = actionOutcome(p.badArchAction);
  const regions: [number, number, ResolvedArch | undefined][] =
    group[0]?.info.name === 'x86_64' || group[0]?.info.name === 'x32'
      ? [
          [0, X32_SYSCALL_BIT, group.find((a) => a.info.name === 'x86_64')],
          [X32_SYSCALL_BIT, TOP, group.find((a) => a.info.name === 'x32')],
        ]
      : [[0, TOP, group[0]]];
  const all: NumberInterval<Outcome>[] = [];
  for (const [s, e, a] of regions) {
    if (a) all.push(...archIntervals(p, a, s, e));
    else all.push({ start: s, end: e, weight: 0, outcome: bad });
  }
  // Merge neighbours with the same outcome: long runs of allowed calls become one leaf.
  const merged: NumberInterval<Outcome>[] = [];
  for (const iv of all) {
    const last = merged[merged.length - 1];
    if (last && last.outcome.key === iv.outcome.key) {
      last.end = iv.end;
      last.weight += iv.weight;
    } else merged.push({ ...iv });
  }
  return merged;
}

class GroupEmitter {
  private readonly rets = new Map<number, Label>();
  private readonly chains = new Map<string, { label: Label; outcome: Outcome & { kind: 'chain' } }>();

  constructor(
    private readonly asm: Assembler,
    private readonly bits: 32 | 64,
  ) {}

  retLabel(action: Action): Label {
    const v = actionValue(action);
    let l = this.rets.get(v);
    if (!l) {
      l = this.asm.label();
      this.rets.set(v, l);
    }
    return l;
  }

  target(o: Outcome): Label {
    if (o.kind === 'action') return this.retLabel(o.action);
    const key = o.key;
    let c = this.chains.get(key);
    if (!c) {
      c = { label: this.asm.label(), outcome: o };
      this.chains.set(key, c);
    }
    return c.label;
  }

  tree(t: DecisionTree<Outcome>): void {
    if ('leaf' in t) {
      this.asm.goto(this.target(t.leaf));
      return;
    }
    const leftInline = !('leaf' in t.left);
    const rightLabel = 'leaf' in t.right ? this.target(t.right.leaf) : this.asm.label();
    this.asm.jump(OP.JGE, t.split, rightLabel, leftInline ? undefined : this.target((t.left as { leaf: Outcome }).leaf));
    if (leftInline) this.tree(t.left);
    if (!('leaf' in t.right)) {
      this.asm.place(rightLabel);
      this.tree(t.right);
    }
  }

  /** Argument-check blocks, then the shared return blocks: each action is emitted once per group. */
  finish(): void {
    for (const { label, outcome } of this.chains.values()) {
      this.asm.place(label);
      // Neighbouring `arg == value` rules of one action are tested as one set (a search, see eq-set.ts).
      const blocks = groupEqRules(outcome.rules, (a, b) => actionValue(a.action) === actionValue(b.action));
      blocks.forEach((b, i) => {
        const last = i === blocks.length - 1;
        const fail = last ? this.retLabel(outcome.fallback) : this.asm.label();
        if ('set' in b) emitEqSet(this.asm, b.set, this.bits, this.retLabel(b.rule.action), fail);
        else {
          const pass = this.retLabel(b.action);
          b.args.forEach((c, j) => {
            const next = j === b.args.length - 1 ? pass : this.asm.label();
            emitComparison(this.asm, c, this.bits, next, fail);
            if (next !== pass) this.asm.place(next);
          });
        }
        if (!last) this.asm.place(fail);
      });
    }
    for (const [value, label] of [...this.rets].sort((a, b) => a[0] - b[0])) {
      this.asm.place(label);
      this.asm.emit(OP.RET, value);
    }
  }
}

/**
 * Compiles a policy to a seccomp BPF program. Per architecture, a system-call
 * number is found by an optimal binary search tree over ranges of numbers with
 * the same outcome (weighted by how many real syscalls each range holds), so
 * a lookup costs a handful of comparisons instead of a linear scan; each
 * distinct action is one shared `ret`; long jumps get trampolines. The output
 * is deterministic: the same policy gives the same bytes.
 *
 * @throws {@link SeccompError} `INVALID_ARGUMENT` for a bad policy (the field names the rule).
 * @example
 * ```ts
 * const { bytes } = compile(policy(Act.errno(1)).allow('read', 'write', 'exit_group').build());
 * ```
 */
export function compile(policy: Policy): CompiledFilter {
  const resolved = resolvePolicy(policy);
  const asm = new Assembler();
  // Arches that share an AUDIT_ARCH value (x86_64 and x32) form one group, split by bit 30 of the number.
  const groups: ResolvedArch[][] = [];
  for (const a of resolved.arches) {
    const g = groups.find((x) => x[0]?.info.auditArch === a.info.auditArch);
    if (g) g.push(a);
    else groups.push([a]);
  }
  const groupLabels = groups.map(() => asm.label());
  const badArch = asm.label();
  asm.emit(OP.LD_ABS, SECCOMP_DATA.ARCH);
  groups.forEach((g, i) => {
    const lastGroup = i === groups.length - 1;
    asm.jump(OP.JEQ, (g[0] as ResolvedArch).info.auditArch, groupLabels[i], lastGroup ? badArch : undefined);
  });
  asm.place(badArch);
  asm.emit(OP.RET, actionValue(resolved.badArchAction));
  groups.forEach((g, i) => {
    asm.place(groupLabels[i] as Label);
    const intervals = groupIntervals(resolved, g);
    const emitter = new GroupEmitter(asm, g.some((a) => a.info.argBits === 64) ? 64 : 32);
    const tree = buildDecisionTree(intervals);
    if ('leaf' in tree && tree.leaf.kind === 'action') {
      asm.emit(OP.RET, actionValue(tree.leaf.action)); // one outcome for every number: no need to load it
      return;
    }
    asm.emit(OP.LD_ABS, SECCOMP_DATA.NR);
    emitter.tree(tree);
    emitter.finish();
  });
  const instructions = asm.assemble();
  return { bytes: encodeProgram(instructions), instructions, resolved, shadowed: resolved.shadowed };
}
