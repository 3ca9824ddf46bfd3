import { loadAddon } from '../addon.js';

/** One user notification as binding/seccomp.cc returns it (struct seccomp_notif, flattened). */
export interface RawSeccompNotification {
  /** Cookie naming this notification in the answer ioctls. */
  id: bigint;
  /** The target thread, in the pid namespace of the receiving process. */
  pid: number;
  /** `seccomp_notif.flags`: no flags are defined yet, so the kernel always reports 0 (seccomp_unotify(2)). */
  flags: number;
  /** System call number (with the x32 bit on x32). */
  nr: number;
  /** AUDIT_ARCH_* value. */
  arch: number;
  /** Instruction pointer of the target at the call. */
  ip: bigint;
  /** The six argument registers. */
  args: bigint[];
}

/** Sizes of the notification structures the running kernel uses (SECCOMP_GET_NOTIF_SIZES). */
export interface RawSeccompNotifSizes {
  /** `sizeof(struct seccomp_notif)` in the running kernel, in bytes (80 on current kernels); may exceed the uapi header's. */
  notif: number;
  /** `sizeof(struct seccomp_notif_resp)` in bytes (24 on current kernels). */
  resp: number;
  /** `sizeof(struct seccomp_data)` in bytes (64: nr, arch, instruction_pointer, args[6]). */
  data: number;
}

/** Raw functions of binding/seccomp.cc (seccomp(2) queries, seccomp_unotify(2) ioctls). */
export interface RawSeccomp {
  /** seccomp(SECCOMP_GET_ACTION_AVAIL): whether the kernel knows a SECCOMP_RET_* action (4.14+). */
  seccompActionAvail(action: number): boolean;
  /** seccomp(SECCOMP_GET_NOTIF_SIZES) (5.0+; throws EINVAL before). */
  seccompNotifSizes(): RawSeccompNotifSizes;
  /** Whether SECCOMP_SET_MODE_FILTER accepts these flags (probed with a NULL program: nothing is installed). */
  seccompFlagsSupported(flags: number): boolean;
  /** SECCOMP_IOCTL_NOTIF_RECV if a notification is pending, else null (never blocks). */
  seccompNotifRecv(fd: number): RawSeccompNotification | null;
  /** SECCOMP_IOCTL_NOTIF_SEND; false when the notification no longer exists. */
  seccompNotifSend(fd: number, id: bigint, val: bigint, error: number, flags: number): boolean;
  /** SECCOMP_IOCTL_NOTIF_ID_VALID. */
  seccompNotifIdValid(fd: number, id: bigint): boolean;
  /** SECCOMP_IOCTL_NOTIF_ADDFD; returns the fd number in the target. */
  seccompNotifAddfd(fd: number, id: bigint, srcfd: number, newfd: number, newfdFlags: number, flags: number): number;
}

/** The seccomp raw binding, loaded lazily. */
export function rawSeccomp(): RawSeccomp {
  return loadAddon<RawSeccomp>();
}
