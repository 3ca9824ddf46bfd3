import { loadAddon } from '../addon.js';

/** Raw functions of binding/bpf.cc: the bpf(2) calls of the cgroup v2 device controller. */
export interface RawBpf {
  /**
   * BPF_PROG_LOAD of a `BPF_PROG_TYPE_CGROUP_DEVICE` program (eBPF
   * instructions, 8 bytes each); returns a close-on-exec program fd. A
   * verifier rejection throws with the kernel's log as `verifierLog`.
   */
  bpfLoadDeviceProg(insns: Buffer): number;
  /** BPF_PROG_ATTACH of `progFd` to the cgroup v2 directory `cgroupFd` (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI). */
  bpfAttachDeviceProg(cgroupFd: number, progFd: number): void;
  /** BPF_PROG_DETACH of `progFd` (BPF_CGROUP_DEVICE) from `cgroupFd`. */
  bpfDetachDeviceProg(cgroupFd: number, progFd: number): void;
  /** BPF_PROG_QUERY: ids of the device programs attached to `cgroupFd` itself (not inherited ones), at most 64. */
  bpfQueryDeviceProgs(cgroupFd: number): number[];
  /** BPF_PROG_GET_FD_BY_ID: a close-on-exec fd of the program `id` (needs CAP_SYS_ADMIN). */
  bpfProgFdById(id: number): number;
}

/** The bpf raw binding, loaded lazily. */
export function rawBpf(): RawBpf {
  return loadAddon<RawBpf>();
}
