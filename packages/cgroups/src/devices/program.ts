/**
 * A device rule list as a `BPF_PROG_TYPE_CGROUP_DEVICE` eBPF program, the
 * device controller of cgroup v2 (Documentation/admin-guide/cgroup-v2.rst
 * "Device controller"; `struct bpf_cgroup_dev_ctx` in
 * include/uapi/linux/bpf.h). The program reads
 * `access_type` (type in the low 16 bits, access in the high 16), `major`
 * and `minor`, checks each exception of the rules' {@link DeviceState} in
 * turn and returns 1 (allow) or 0 (deny). Pure: emitted here, loaded by
 * attach.ts.
 */
import { CgroupError } from '../errors.js';
import type { DeviceRule } from '../resources/types.js';
import { DEVICE_TYPE, type DeviceState, deviceState } from './state.js';

/** Largest major and minor numbers Linux has (MAJOR is 12 bits, MINOR 20: include/linux/kdev_t.h). */
export const MAX_DEVICE_MAJOR = 0xfff;
/** See {@link MAX_DEVICE_MAJOR}. */
export const MAX_DEVICE_MINOR = 0xfffff;

/** eBPF opcodes kc emits (include/uapi/linux/bpf.h, bpf_common.h). */
export const EBPF_OP = {
  /** `dst = *(u32 *)(src + off)` (BPF_LDX | BPF_MEM | BPF_W). */
  LDX_MEM_W: 0x61,
  /** `dst = imm` (BPF_ALU64 | BPF_MOV | BPF_K). */
  MOV64_IMM: 0xb7,
  /** `dst = src` (BPF_ALU64 | BPF_MOV | BPF_X). */
  MOV64_REG: 0xbf,
  /** `dst &= imm` (BPF_ALU64 | BPF_AND | BPF_K). */
  AND64_IMM: 0x57,
  /** `dst >>= imm` (BPF_ALU64 | BPF_RSH | BPF_K). */
  RSH64_IMM: 0x77,
  /** `if (dst == imm) pc += off` (BPF_JMP | BPF_JEQ | BPF_K). */
  JEQ_IMM: 0x15,
  /** `if (dst != imm) pc += off` (BPF_JMP | BPF_JNE | BPF_K). */
  JNE_IMM: 0x55,
  /** Return `r0` (BPF_JMP | BPF_EXIT). */
  EXIT: 0x95,
} as const;

/** One eBPF instruction. */
export interface EbpfInsn {
  /** The opcode, one of {@link EBPF_OP}. */
  readonly op: number;
  /** Destination register 0..10. */
  readonly dst: number;
  /** Source register 0..10. */
  readonly src: number;
  /** Jump offset (instructions after the next) or memory offset. */
  readonly off: number;
  /** Immediate value (signed 32-bit). */
  readonly imm: number;
}

const insn = (op: number, dst: number, src: number, off: number, imm: number): EbpfInsn => ({ op, dst, src, off, imm });

/** Registers: r1 the context; r2 type, r3 access, r4 major, r5 minor, r6 scratch, r0 the verdict. */
const R = { ctx: 1, type: 2, access: 3, major: 4, minor: 5, tmp: 6 } as const;

/**
 * The instructions for `state`: deny or allow by exception, then the
 * default. A check that fails jumps to the next exception's first
 * instruction. Pure.
 */
export function deviceProgramInsns(state: DeviceState): EbpfInsn[] {
  const out: EbpfInsn[] = [
    insn(EBPF_OP.LDX_MEM_W, R.type, R.ctx, 0, 0), // access_type
    insn(EBPF_OP.MOV64_REG, R.access, R.type, 0, 0),
    insn(EBPF_OP.AND64_IMM, R.type, 0, 0, 0xffff),
    insn(EBPF_OP.RSH64_IMM, R.access, 0, 0, 16),
    insn(EBPF_OP.LDX_MEM_W, R.major, R.ctx, 4, 0),
    insn(EBPF_OP.LDX_MEM_W, R.minor, R.ctx, 8, 0),
  ];
  const verdict = state.defaultAllow ? 0 : 1;
  for (const e of state.exceptions) {
    const block: EbpfInsn[] = [];
    // Each check is "skip to the end of this block unless it holds"; offsets are fixed up below.
    const skips: number[] = [];
    if (e.type !== 'a') {
      skips.push(block.length);
      block.push(insn(EBPF_OP.JNE_IMM, R.type, 0, 0, DEVICE_TYPE[e.type]));
    }
    block.push(insn(EBPF_OP.MOV64_REG, R.tmp, R.access, 0, 0));
    if (state.defaultAllow) {
      // Denies when the request shares a bit with the exception.
      block.push(insn(EBPF_OP.AND64_IMM, R.tmp, 0, 0, e.access));
      skips.push(block.length);
      block.push(insn(EBPF_OP.JEQ_IMM, R.tmp, 0, 0, 0));
    } else {
      // Allows when every bit asked is in the exception.
      block.push(insn(EBPF_OP.AND64_IMM, R.tmp, 0, 0, ~e.access & 7));
      skips.push(block.length);
      block.push(insn(EBPF_OP.JNE_IMM, R.tmp, 0, 0, 0));
    }
    if (e.major !== '*') {
      skips.push(block.length);
      block.push(insn(EBPF_OP.JNE_IMM, R.major, 0, 0, e.major));
    }
    if (e.minor !== '*') {
      skips.push(block.length);
      block.push(insn(EBPF_OP.JNE_IMM, R.minor, 0, 0, e.minor));
    }
    block.push(insn(EBPF_OP.MOV64_IMM, 0, 0, 0, verdict), insn(EBPF_OP.EXIT, 0, 0, 0, 0));
    for (const at of skips) block[at] = { ...(block[at] as EbpfInsn), off: block.length - at - 1 };
    out.push(...block);
  }
  out.push(insn(EBPF_OP.MOV64_IMM, 0, 0, 0, state.defaultAllow ? 1 : 0), insn(EBPF_OP.EXIT, 0, 0, 0, 0));
  return out;
}

/** Encodes instructions as the kernel reads them (`struct bpf_insn`, little-endian). Pure. */
export function encodeEbpf(insns: readonly EbpfInsn[]): Buffer {
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach((x, i) => {
    buf.writeUInt8(x.op, i * 8);
    buf.writeUInt8((x.src << 4) | x.dst, i * 8 + 1);
    buf.writeInt16LE(x.off, i * 8 + 2);
    buf.writeInt32LE(x.imm | 0, i * 8 + 4);
  });
  return buf;
}

/** Decodes `struct bpf_insn` records. Pure. */
export function decodeEbpf(buf: Buffer): EbpfInsn[] {
  if (buf.length % 8 !== 0) throw new RangeError('an eBPF program is a multiple of 8 bytes');
  const out: EbpfInsn[] = [];
  for (let i = 0; i < buf.length; i += 8) {
    const regs = buf.readUInt8(i + 1);
    out.push(insn(buf.readUInt8(i), regs & 0xf, regs >> 4, buf.readInt16LE(i + 2), buf.readInt32LE(i + 4)));
  }
  return out;
}

/**
 * Checks rules for the eBPF device program: majors and minors Linux can
 * have, before anything is loaded.
 * @throws {CgroupError} INVALID_ARGUMENT naming `devices[i].major`/`minor`.
 */
export function checkDeviceNumbers(rules: readonly DeviceRule[]): void {
  rules.forEach((r, i) => {
    const check = (field: 'major' | 'minor', v: number | '*', max: number) => {
      if (v !== '*' && (!Number.isInteger(v) || v < 0 || v > max)) {
        throw new CgroupError(`devices[${i}].${field}: ${v} is not a Linux device ${field} (0..${max})`, {
          code: 'INVALID_ARGUMENT',
          field: `devices[${i}].${field}`,
          hint: `a ${field} number has ${field === 'major' ? 12 : 20} bits; use '*' for any`,
        });
      }
    };
    check('major', r.major, MAX_DEVICE_MAJOR);
    check('minor', r.minor, MAX_DEVICE_MINOR);
  });
}

/**
 * The device program for a rule list, encoded (rules → {@link deviceState} →
 * instructions). Starts from deny-all when the list does not say, as runc
 * does for cgroup v2. Pure.
 * @throws {CgroupError} INVALID_ARGUMENT for impossible device numbers.
 * @example
 * ```ts
 * const prog = deviceProgram(withDefaultDeviceRules([])); // Buffer of struct bpf_insn
 * ```
 */
export function deviceProgram(rules: readonly DeviceRule[]): Buffer {
  checkDeviceNumbers(rules);
  return encodeEbpf(deviceProgramInsns(deviceState(rules, { defaultAllow: false, exceptions: [] })));
}
