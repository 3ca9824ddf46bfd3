import type { NormalizedArg } from '../policy/validate.js';
import type { Assembler, Label } from './assembler.js';
import { OP, SECCOMP_DATA } from './instructions.js';

const lo32 = (v: bigint) => Number(v & 0xffffffffn);
const hi32 = (v: bigint) => Number((v >> 32n) & 0xffffffffn);

/**
 * Emits one argument comparison that jumps to `T` when it holds and to `F`
 * otherwise. Classic BPF has a 32-bit accumulator, so a 64-bit unsigned
 * comparison is decided on the high word first and on the low word only when
 * the high words are equal. 32-bit ABIs compare the low word only.
 */
export function emitComparison(asm: Assembler, c: NormalizedArg, bits: 32 | 64, T: Label, F: Label): void {
  const lo = SECCOMP_DATA.argLo(c.index);
  const hi = SECCOMP_DATA.argHi(c.index);
  switch (c.op) {
    case 'lt':
      emitComparison(asm, { ...c, op: 'ge' }, bits, F, T);
      return;
    case 'le':
      emitComparison(asm, { ...c, op: 'gt' }, bits, F, T);
      return;
    case 'ne':
      emitComparison(asm, { ...c, op: 'eq' }, bits, F, T);
      return;
    case 'masked_eq': {
      if ((c.value & ~c.mask) !== 0n) {
        // bits outside the mask can never match
        asm.goto(F);
        return;
      }
      if (bits === 64 && hi32(c.mask) !== 0) {
        asm.emit(OP.LD_ABS, hi);
        if (hi32(c.mask) !== 0xffffffff) asm.emit(OP.AND, hi32(c.mask));
        asm.jump(OP.JEQ, hi32(c.value), undefined, F);
      }
      if (lo32(c.mask) === 0) {
        asm.goto(T);
        return;
      }
      asm.emit(OP.LD_ABS, lo);
      if (lo32(c.mask) !== 0xffffffff) asm.emit(OP.AND, lo32(c.mask));
      asm.jump(OP.JEQ, lo32(c.value), T, F);
      return;
    }
    case 'eq':
      if (bits === 64) {
        asm.emit(OP.LD_ABS, hi);
        asm.jump(OP.JEQ, hi32(c.value), undefined, F);
      }
      asm.emit(OP.LD_ABS, lo);
      asm.jump(OP.JEQ, lo32(c.value), T, F);
      return;
    case 'gt':
    case 'ge': {
      if (c.op === 'ge' && c.value === 0n) {
        asm.goto(T);
        return;
      }
      if (bits === 64) {
        asm.emit(OP.LD_ABS, hi);
        asm.jump(OP.JGT, hi32(c.value), T, undefined);
        // After `hi > vhi` failed, vhi == 0 already implies hi == vhi.
        if (hi32(c.value) !== 0) asm.jump(OP.JEQ, hi32(c.value), undefined, F);
      }
      asm.emit(OP.LD_ABS, lo);
      asm.jump(c.op === 'gt' ? OP.JGT : OP.JGE, lo32(c.value), T, F);
      return;
    }
  }
}
