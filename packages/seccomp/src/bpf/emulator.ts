import type { SeccompData } from '../policy/meaning.js';
import { BPF, SECCOMP_DATA, type SockFilter } from './instructions.js';

/** The result of running a filter: the 32-bit return value and how many instructions ran. */
export interface EmulationResult {
  /** The filter's return value, unsigned 32-bit: `SECCOMP_RET_*` action | 16-bit data; decode with {@link actionFromValue}. 0 (KILL_THREAD) on division by zero, as in the kernel. */
  value: number;
  /** Instructions executed, the final `ret` included (the cost of this call through the filter). */
  executed: number;
}

function loadWord(data: SeccompData, off: number): number {
  if (off % 4 !== 0 || off < 0 || off + 4 > SECCOMP_DATA.SIZE) throw new RangeError(`load of seccomp_data at invalid offset ${off}`);
  if (off === SECCOMP_DATA.NR) return data.nr >>> 0;
  if (off === SECCOMP_DATA.ARCH) return data.arch >>> 0;
  const word64 = off < 16 ? (data.instructionPointer ?? 0n) : (data.args?.[(off - 16) >> 3] ?? 0n);
  return Number((off % 8 === 0 ? word64 : word64 >> 32n) & 0xffffffffn);
}

/**
 * Runs a classic BPF seccomp program on one `seccomp_data`, as the kernel
 * would (net/core/filter.c semantics for the instructions seccomp accepts),
 * and counts executed instructions.
 *
 * @throws RangeError on a program the kernel would reject at run time (jump out of range, bad load, no return).
 * @example
 * ```ts
 * emulate(compile(p).instructions, { arch: 0xc000003e, nr: 83 }).value; // 0x50001 = ERRNO(1)
 * ```
 */
export function emulate(prog: readonly SockFilter[], data: SeccompData): EmulationResult {
  let A = 0;
  let X = 0;
  const mem = new Uint32Array(16);
  let pc = 0;
  let executed = 0;
  while (pc < prog.length) {
    const ins = prog[pc] as SockFilter;
    executed++;
    pc++;
    const cls = ins.code & 0x07;
    const k = ins.k >>> 0;
    switch (cls) {
      case BPF.LD: {
        const mode = ins.code & 0xe0;
        if (mode === BPF.ABS) A = loadWord(data, k);
        else if (mode === BPF.IMM) A = k;
        else if (mode === BPF.MEM) A = mem[k & 15] as number;
        else if (mode === BPF.LEN) A = SECCOMP_DATA.SIZE;
        else throw new RangeError(`unsupported load mode 0x${mode.toString(16)} at ${pc - 1}`);
        break;
      }
      case BPF.LDX: {
        const mode = ins.code & 0xe0;
        if (mode === BPF.IMM) X = k;
        else if (mode === BPF.MEM) X = mem[k & 15] as number;
        else if (mode === BPF.LEN) X = SECCOMP_DATA.SIZE;
        else throw new RangeError(`unsupported ldx mode at ${pc - 1}`);
        break;
      }
      case BPF.ST:
        mem[k & 15] = A;
        break;
      case BPF.STX:
        mem[k & 15] = X;
        break;
      case BPF.ALU: {
        const src = ins.code & BPF.X ? X : k;
        switch (ins.code & 0xf0) {
          case BPF.ADD:
            A = (A + src) >>> 0;
            break;
          case BPF.SUB:
            A = (A - src) >>> 0;
            break;
          case BPF.MUL:
            A = Math.imul(A, src) >>> 0;
            break;
          case BPF.DIV:
            if (src === 0) return { value: 0, executed };
            A = Math.floor(A / src) >>> 0;
            break;
          case BPF.MOD:
            if (src === 0) return { value: 0, executed };
            A = (A % src) >>> 0;
            break;
          case BPF.OR:
            A = (A | src) >>> 0;
            break;
          case BPF.AND:
            A = (A & src) >>> 0;
            break;
          case BPF.XOR:
            A = (A ^ src) >>> 0;
            break;
          case BPF.LSH:
            A = src >= 32 ? 0 : (A << src) >>> 0;
            break;
          case BPF.RSH:
            A = src >= 32 ? 0 : A >>> src;
            break;
          case BPF.NEG:
            A = -A >>> 0;
            break;
          default:
            throw new RangeError(`unsupported ALU op at ${pc - 1}`);
        }
        break;
      }
      case BPF.JMP: {
        const op = ins.code & 0xf0;
        if (op === BPF.JA) {
          pc += k;
          break;
        }
        const src = ins.code & BPF.X ? X : k;
        let cond: boolean;
        if (op === BPF.JEQ) cond = A === src;
        else if (op === BPF.JGT) cond = A > src;
        else if (op === BPF.JGE) cond = A >= src;
        else if (op === BPF.JSET) cond = (A & src) !== 0;
        else throw new RangeError(`unsupported jump at ${pc - 1}`);
        pc += cond ? ins.jt : ins.jf;
        break;
      }
      case BPF.RET:
        return { value: ((ins.code & 0x18) === BPF.A ? A : k) >>> 0, executed };
      case BPF.MISC:
        if ((ins.code & 0xf8) === BPF.TXA) A = X;
        else X = A;
        break;
    }
  }
  throw new RangeError('BPF program ran past its end without returning');
}
