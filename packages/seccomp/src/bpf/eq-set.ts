import type { NormalizedArg, ResolvedRule } from '../policy/validate.js';
import type { Assembler, Label } from './assembler.js';
import { OP, SECCOMP_DATA } from './instructions.js';

/**
 * Several rules of one syscall that each test `args[index] == value` for the
 * same argument and share an action (Docker allows `personality` for five
 * values, one rule each): tested as one set, with the argument loaded once
 * and its value found by a balanced search, not rule after rule.
 */
export interface EqSet {
  /** The argument compared. */
  index: number;
  /** The values any of which passes, unique, ascending (already truncated to the arch's width). */
  values: bigint[];
}

/** Below this many values a row of `jeq`s is as short as a search. */
const LINEAR_MAX = 3;

/** Whether a rule is a single `eq` comparison, the kind an {@link EqSet} gathers. */
function singleEq(r: ResolvedRule): NormalizedArg | undefined {
  const [c] = r.args;
  return r.args.length === 1 && c?.op === 'eq' ? c : undefined;
}

/**
 * Splits a syscall's rules (in order) into runs: a run of at least two
 * neighbouring single-`eq` rules on the same argument with the same action
 * becomes an {@link EqSet}; any other rule stays alone. Only neighbours are
 * gathered, so the first rule that holds still decides as in the policy.
 */
export function groupEqRules(
  rules: readonly ResolvedRule[],
  sameAction: (a: ResolvedRule, b: ResolvedRule) => boolean,
): (ResolvedRule | { set: EqSet; rule: ResolvedRule })[] {
  const out: (ResolvedRule | { set: EqSet; rule: ResolvedRule })[] = [];
  let i = 0;
  while (i < rules.length) {
    const first = rules[i] as ResolvedRule;
    const c = singleEq(first);
    let j = i + 1;
    if (c) {
      while (j < rules.length) {
        const next = rules[j] as ResolvedRule;
        const d = singleEq(next);
        if (!d || d.index !== c.index || !sameAction(first, next)) break;
        j++;
      }
    }
    if (c && j - i >= 2) {
      const values = [...new Set(rules.slice(i, j).map((r) => (r.args[0] as NormalizedArg).value))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      out.push({ set: { index: c.index, values }, rule: first });
    } else out.push(first);
    i = j;
  }
  return out;
}

const lo32 = (v: bigint) => Number(v & 0xffffffffn);
const hi32 = (v: bigint) => Number((v >> 32n) & 0xffffffffn);

/** Finds the accumulator among sorted 32-bit `words`: jumps to `T` on a hit, `F` otherwise. */
function search(asm: Assembler, words: readonly number[], T: Label, F: Label): void {
  if (words.length <= LINEAR_MAX) {
    words.forEach((w, i) => {
      asm.jump(OP.JEQ, w, T, i === words.length - 1 ? F : undefined);
    });
    return;
  }
  const mid = words.length >> 1;
  const right = asm.label();
  asm.jump(OP.JGE, words[mid] as number, right, undefined);
  search(asm, words.slice(0, mid), T, F);
  asm.place(right);
  search(asm, words.slice(mid), T, F);
}

/**
 * Emits the test "`args[set.index]` is one of `set.values`", jumping to `T`
 * when it is and to `F` otherwise. 64-bit ABIs check the high word first
 * (grouping values by it, usually one group: 0), then search the low word.
 */
export function emitEqSet(asm: Assembler, set: EqSet, bits: 32 | 64, T: Label, F: Label): void {
  const lo = SECCOMP_DATA.argLo(set.index);
  if (bits === 32) {
    asm.emit(OP.LD_ABS, lo);
    search(
      asm,
      [...new Set(set.values.map(lo32))].sort((a, b) => a - b),
      T,
      F,
    );
    return;
  }
  const byHigh = new Map<number, number[]>();
  for (const v of set.values) {
    const list = byHigh.get(hi32(v)) ?? [];
    list.push(lo32(v));
    byHigh.set(hi32(v), list);
  }
  asm.emit(OP.LD_ABS, SECCOMP_DATA.argHi(set.index));
  const groups = [...byHigh].sort((a, b) => a[0] - b[0]);
  const blocks = groups.map(() => asm.label());
  groups.forEach(([high], g) => {
    asm.jump(OP.JEQ, high, blocks[g], g === groups.length - 1 ? F : undefined);
  });
  groups.forEach(([, words], g) => {
    asm.place(blocks[g] as Label);
    asm.emit(OP.LD_ABS, lo);
    search(asm, words, T, F);
  });
}
