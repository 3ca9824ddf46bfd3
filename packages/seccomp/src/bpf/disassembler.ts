import { actionFromValue, formatAction } from '../policy/model.js';
import { BPF, type SockFilter } from './instructions.js';

const FIELD: Record<number, string> = {
  0: 'nr',
  4: 'arch',
  8: 'ip_lo',
  12: 'ip_hi',
};
function fieldName(off: number): string {
  if (FIELD[off]) return FIELD[off] as string;
  const i = (off - 16) >> 3;
  return `args[${i}].${off % 8 === 0 ? 'lo' : 'hi'}`;
}

const hex = (k: number) => `0x${(k >>> 0).toString(16)}`;

/**
 * Prints a program one instruction per line, with jump targets as absolute
 * line numbers and return values decoded (`ret errno(1)`), in the spirit of
 * `scmp_bpf_disasm` / `seccomp-tools dump`.
 *
 * @example
 * ```ts
 * console.log(disassemble(compile(p).instructions));
 * //  0: ld  [arch]
 * //  1: jeq 0xc000003e ? 3 : 2
 * ```
 */
export function disassemble(prog: readonly SockFilter[]): string {
  const width = String(prog.length).length;
  return prog
    .map((ins, i) => {
      const at = String(i).padStart(width, ' ');
      const cls = ins.code & 0x07;
      const op = ins.code & 0xf0;
      let text: string;
      if (cls === BPF.LD && (ins.code & 0xe0) === BPF.ABS) text = `ld  [${fieldName(ins.k)}]`;
      else if (cls === BPF.LD && (ins.code & 0xe0) === BPF.IMM) text = `ld  #${hex(ins.k)}`;
      else if (cls === BPF.RET) text = (ins.code & 0x18) === BPF.A ? 'ret A' : `ret ${formatAction(actionFromValue(ins.k))}`;
      else if (cls === BPF.JMP && op === BPF.JA) text = `ja  ${i + 1 + ins.k}`;
      else if (cls === BPF.JMP) {
        const name =
          {
            [BPF.JEQ]: 'jeq',
            [BPF.JGT]: 'jgt',
            [BPF.JGE]: 'jge',
            [BPF.JSET]: 'jset',
          }[op] ?? `j?${op}`;
        const src = ins.code & BPF.X ? 'X' : hex(ins.k);
        text = `${name} ${src} ? ${i + 1 + ins.jt} : ${i + 1 + ins.jf}`;
      } else if (cls === BPF.ALU) {
        const name =
          {
            [BPF.AND]: 'and',
            [BPF.OR]: 'or',
            [BPF.ADD]: 'add',
            [BPF.SUB]: 'sub',
            [BPF.RSH]: 'rsh',
            [BPF.LSH]: 'lsh',
          }[op] ?? `alu${op}`;
        text = `${name} ${ins.code & BPF.X ? 'X' : hex(ins.k)}`;
      } else text = `.code ${hex(ins.code)} jt=${ins.jt} jf=${ins.jf} k=${hex(ins.k)}`;
      return `${at}: ${text}`;
    })
    .join('\n');
}
