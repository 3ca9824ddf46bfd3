/** One classic BPF instruction (`struct sock_filter`, include/uapi/linux/filter.h). */
export interface SockFilter {
  /** `sock_filter.code`, 16 bits: instruction class | size | mode for loads, class | operation | source (`BPF_K`/`BPF_X`) otherwise (include/uapi/linux/bpf_common.h). */
  code: number;
  /** `sock_filter.jt`, 0..255: for a conditional jump taken when true, how many instructions to skip after this one. */
  jt: number;
  /** `sock_filter.jf`, 0..255: for a conditional jump taken when false, how many instructions to skip after this one. */
  jf: number;
  /** `sock_filter.k`, unsigned 32-bit operand: the immediate, the `seccomp_data` byte offset of a `BPF_ABS` load, the value of a `BPF_RET`, or the offset of a `BPF_JA`. */
  k: number;
}

/** Opcodes kc emits, plus the classes and modes the emulator decodes. */
export const BPF = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  RET: 0x06,
  MISC: 0x07,
  W: 0x00,
  IMM: 0x00,
  ABS: 0x20,
  MEM: 0x60,
  LEN: 0x80,
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  K: 0x00,
  X: 0x08,
  A: 0x10,
  TAX: 0x00,
  TXA: 0x80,
} as const;

/** Composite opcodes used by the compiler. */
export const OP = {
  LD_ABS: BPF.LD | BPF.W | BPF.ABS,
  JEQ: BPF.JMP | BPF.JEQ | BPF.K,
  JGT: BPF.JMP | BPF.JGT | BPF.K,
  JGE: BPF.JMP | BPF.JGE | BPF.K,
  JSET: BPF.JMP | BPF.JSET | BPF.K,
  JA: BPF.JMP | BPF.JA,
  AND: BPF.ALU | BPF.AND | BPF.K,
  RET: BPF.RET | BPF.K,
} as const;

/** Offsets in `struct seccomp_data`: nr, arch, instruction_pointer, args[6]. */
export const SECCOMP_DATA = {
  NR: 0,
  ARCH: 4,
  IP_LO: 8,
  IP_HI: 12,
  /** Low word of argument `i` (all supported arches are little-endian). */
  argLo: (i: number) => 16 + 8 * i,
  argHi: (i: number) => 20 + 8 * i,
  SIZE: 64,
} as const;

/** BPF_MAXINSNS (include/uapi/linux/bpf_common.h): the kernel's limit on a filter. */
export const BPF_MAXINSNS = 4096;

/** Encodes instructions as `struct sock_filter[]` (8 bytes each, little-endian). */
export function encodeProgram(prog: readonly SockFilter[]): Buffer {
  const b = Buffer.alloc(prog.length * 8);
  prog.forEach((ins, i) => {
    b.writeUInt16LE(ins.code, i * 8);
    b.writeUInt8(ins.jt, i * 8 + 2);
    b.writeUInt8(ins.jf, i * 8 + 3);
    b.writeUInt32LE(ins.k >>> 0, i * 8 + 4);
  });
  return b;
}

/** Decodes a `struct sock_filter[]` buffer. */
export function decodeProgram(buf: Uint8Array): SockFilter[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: SockFilter[] = [];
  for (let i = 0; i + 8 <= b.length; i += 8) {
    out.push({
      code: b.readUInt16LE(i),
      jt: b.readUInt8(i + 2),
      jf: b.readUInt8(i + 3),
      k: b.readUInt32LE(i + 4),
    });
  }
  return out;
}
