import { AARCH64_SYSCALLS } from './tables/aarch64.js';
import { ARM_SYSCALLS } from './tables/arm.js';
import { I386_SYSCALLS } from './tables/i386.js';
import { RISCV64_SYSCALLS } from './tables/riscv64.js';
import { X32_SYSCALLS } from './tables/x32.js';
import { X86_64_SYSCALLS } from './tables/x86_64.js';

/** Architectures kc's tables and compiler know, named as libseccomp's `scmp_sys_resolver -a` names them (with `i386` for x86). */
export type ArchName = 'x86_64' | 'i386' | 'x32' | 'aarch64' | 'arm' | 'riscv64';

/** Every {@link ArchName}, in a fixed order. */
export const ARCH_NAMES: readonly ArchName[] = ['x86_64', 'i386', 'x32', 'aarch64', 'arm', 'riscv64'];

/**
 * x32 system calls run on the x86_64 kernel entry with this bit set in the
 * number and `AUDIT_ARCH_X86_64` in `seccomp_data.arch` (arch/x86/include/uapi/asm/unistd.h).
 */
export const X32_SYSCALL_BIT = 0x40000000;

/** What the compiler needs to know about one architecture. */
export interface ArchInfo {
  /** The arch this entry describes (x86_64 and x32 share `auditArch` and differ only here and in `syscalls`). */
  name: ArchName;
  /** `AUDIT_ARCH_*` value the kernel puts in `seccomp_data.arch` (include/uapi/linux/audit.h). */
  auditArch: number;
  /** Width of a system-call argument register: 32-bit ABIs compare only the low word. */
  argBits: 32 | 64;
  /** name → number (x32 numbers include {@link X32_SYSCALL_BIT}). */
  syscalls: Readonly<Record<string, number>>;
  /**
   * Numbers of the multiplexing calls `socketcall` and `ipc`, on arches whose
   * kernel still dispatches socket and System V IPC calls through them (i386).
   * A rule for such a call (e.g. `socket`) then also covers the multiplexed form
   * (`socketcall(SYS_SOCKET, …)`), as libseccomp does.
   */
  multiplexers?: {
    /** Number of socketcall(2), whose argument 0 is a `SYS_*` call (include/uapi/linux/net.h). */
    socketcall: number;
    /** Number of ipc(2), whose argument 0 is a System V IPC call in its low 16 bits (include/uapi/linux/ipc.h). */
    ipc: number;
  };
}

// AUDIT_ARCH_* = EM_* | __AUDIT_ARCH_64BIT (0x80000000) | __AUDIT_ARCH_LE (0x40000000).
const INFO: Record<ArchName, ArchInfo> = {
  x86_64: {
    name: 'x86_64',
    auditArch: 0xc000003e,
    argBits: 64,
    syscalls: X86_64_SYSCALLS,
  },
  i386: {
    name: 'i386',
    auditArch: 0x40000003,
    argBits: 32,
    syscalls: I386_SYSCALLS,
    multiplexers: { socketcall: I386_SYSCALLS.socketcall as number, ipc: I386_SYSCALLS.ipc as number },
  },
  // x32 passes 64-bit registers; kc compares all 64 bits (stricter than libseccomp, which compares 32).
  x32: {
    name: 'x32',
    auditArch: 0xc000003e,
    argBits: 64,
    syscalls: X32_SYSCALLS,
  },
  aarch64: {
    name: 'aarch64',
    auditArch: 0xc00000b7,
    argBits: 64,
    syscalls: AARCH64_SYSCALLS,
  },
  arm: {
    name: 'arm',
    auditArch: 0x40000028,
    argBits: 32,
    syscalls: ARM_SYSCALLS,
  },
  riscv64: {
    name: 'riscv64',
    auditArch: 0xc00000f3,
    argBits: 64,
    syscalls: RISCV64_SYSCALLS,
  },
};

/** Facts about an architecture: its audit value, argument width and syscall table. */
export function archInfo(arch: ArchName): ArchInfo {
  return INFO[arch];
}

/** True when `name` is one of kc's {@link ArchName}s. */
export function isArchName(name: string): name is ArchName {
  return Object.hasOwn(INFO, name);
}

/** The architecture Node runs on, or undefined when kc has no table for it. */
export function nativeArch(): ArchName | undefined {
  const map: Record<string, ArchName> = {
    x64: 'x86_64',
    ia32: 'i386',
    arm64: 'aarch64',
    arm: 'arm',
    riscv64: 'riscv64',
  };
  return map[process.arch];
}
