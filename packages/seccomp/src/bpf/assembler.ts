import { BPF_MAXINSNS, OP, type SockFilter } from './instructions.js';

/** A jump target; placed with {@link Assembler.place}. */
export interface Label {
  readonly id: number;
}

interface Ins {
  code: number;
  k: number;
  /** Conditional jumps only: targets of the true and false branches. */
  jt?: Label;
  jf?: Label;
  /** `ja` only. */
  target?: Label;
}

type Item = { label: Label } | { ins: Ins };

/**
 * Collects instructions with symbolic jump targets, then lays them out. Classic
 * BPF conditional jumps reach at most 255 instructions forward (8-bit jt/jf),
 * so a branch that lands further gets a trampoline: an unconditional `ja`
 * (32-bit offset) right after the jump, repeated until every offset fits.
 */
export class Assembler {
  private items: Item[] = [];
  private nextId = 0;

  /** A fresh, unplaced label. */
  label(): Label {
    return { id: this.nextId++ };
  }

  /** Places `l` before the next emitted instruction. */
  place(l: Label): void {
    this.items.push({ label: l });
  }

  /** A non-jump instruction. */
  emit(code: number, k: number): void {
    this.items.push({ ins: { code, k: k >>> 0 } });
  }

  /** A conditional jump; an omitted target means the next instruction. */
  jump(code: number, k: number, jt: Label | undefined, jf: Label | undefined): void {
    const next = jt && jf ? undefined : this.label();
    this.items.push({
      ins: { code, k: k >>> 0, jt: jt ?? next, jf: jf ?? next },
    });
    if (next) this.place(next);
  }

  /** An unconditional jump. */
  goto(target: Label): void {
    this.items.push({ ins: { code: OP.JA, k: 0, target } });
  }

  /** Lays the program out, inserting trampolines for long jumps; throws if a target is behind its jump or unplaced. */
  assemble(): SockFilter[] {
    let items = this.items;
    for (;;) {
      const pos = new Map<number, number>();
      let n = 0;
      for (const it of items) {
        if ('label' in it) pos.set(it.label.id, n);
        else n++;
      }
      const offset = (from: number, l: Label) => {
        const t = pos.get(l.id);
        if (t === undefined) throw new Error(`BPF label ${l.id} was never placed`);
        const off = t - from - 1;
        if (off < 0) throw new Error(`BPF jump backwards at ${from}`);
        return off;
      };
      const fixed: Item[] = [];
      let changed = false;
      let at = 0;
      for (const it of items) {
        fixed.push(it);
        if ('label' in it) continue;
        const ins = it.ins;
        if (ins.jt && ins.jf) {
          const longT = offset(at, ins.jt) > 255;
          const longF = offset(at, ins.jf) > 255;
          if (longT || longF) {
            changed = true;
            const copy: Ins = { ...ins };
            fixed[fixed.length - 1] = { ins: copy };
            for (const [isLong, key] of [
              [longT, 'jt'],
              [longF, 'jf'],
            ] as const) {
              if (!isLong) continue;
              const tramp = this.label();
              fixed.push({ label: tramp }, { ins: { code: OP.JA, k: 0, target: ins[key] } });
              copy[key] = tramp;
            }
          }
        }
        at++;
      }
      items = fixed;
      if (changed) continue;
      const out: SockFilter[] = [];
      for (const it of items) {
        if ('label' in it) continue;
        const i = it.ins;
        const here = out.length;
        if (i.target) out.push({ code: i.code, jt: 0, jf: 0, k: offset(here, i.target) });
        else if (i.jt && i.jf)
          out.push({
            code: i.code,
            jt: offset(here, i.jt),
            jf: offset(here, i.jf),
            k: i.k,
          });
        else out.push({ code: i.code, jt: 0, jf: 0, k: i.k });
      }
      if (out.length > BPF_MAXINSNS) throw new RangeError(`BPF program of ${out.length} instructions exceeds BPF_MAXINSNS (${BPF_MAXINSNS})`);
      return out;
    }
  }
}
