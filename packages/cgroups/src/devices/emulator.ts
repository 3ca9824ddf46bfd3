/**
 * Runs a cgroup device program in TypeScript, on the context the kernel
 * passes (`struct bpf_cgroup_dev_ctx`), for the instructions kc emits
 * (program.ts). Tests compare it with the rules' meaning (state.ts) and with
 * the kernel's verdict. Pure.
 */
import { EBPF_OP, type EbpfInsn } from './program.js';
import type { DeviceRequest } from './state.js';
import { DEVICE_TYPE } from './state.js';

/** The program's return value for `q`: 1 allows, 0 denies. @throws {RangeError} for an opcode kc does not emit or a run off the end. */
export function emulateDeviceProgram(insns: readonly EbpfInsn[], q: DeviceRequest): number {
  const ctx = [(q.access << 16) | DEVICE_TYPE[q.type], q.major, q.minor];
  const r = new Array<bigint>(11).fill(0n);
  const mask = (1n << 64n) - 1n;
  const imm = (x: EbpfInsn) => BigInt.asUintN(64, BigInt(x.imm)); // sign-extended, as the kernel does
  for (let pc = 0, steps = 0; pc < insns.length && steps < 4096; steps++) {
    const x = insns[pc] as EbpfInsn;
    pc++;
    switch (x.op) {
      case EBPF_OP.LDX_MEM_W: {
        if (x.src !== 1 || x.off % 4 !== 0 || x.off < 0 || x.off > 8) throw new RangeError(`load at ${x.off} outside bpf_cgroup_dev_ctx`);
        r[x.dst] = BigInt((ctx[x.off / 4] as number) >>> 0);
        break;
      }
      case EBPF_OP.MOV64_IMM:
        r[x.dst] = imm(x);
        break;
      case EBPF_OP.MOV64_REG:
        r[x.dst] = r[x.src] as bigint;
        break;
      case EBPF_OP.AND64_IMM:
        r[x.dst] = (r[x.dst] as bigint) & imm(x);
        break;
      case EBPF_OP.RSH64_IMM:
        r[x.dst] = ((r[x.dst] as bigint) >> BigInt(x.imm)) & mask;
        break;
      case EBPF_OP.JEQ_IMM:
        if (r[x.dst] === imm(x)) pc += x.off;
        break;
      case EBPF_OP.JNE_IMM:
        if (r[x.dst] !== imm(x)) pc += x.off;
        break;
      case EBPF_OP.EXIT:
        return Number(r[0]);
      default:
        throw new RangeError(`opcode 0x${x.op.toString(16)} is not one kc emits`);
    }
  }
  throw new RangeError('the program ran off its end');
}
