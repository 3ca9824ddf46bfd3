import { invalidArgument, type RawSeccompNotification, rawSeccomp, translateNative } from '@kc/native';
import { ARCH_NAMES, type ArchName, archInfo, X32_SYSCALL_BIT } from '../arch.js';
import { SeccompError } from '../errors.js';
import { syscallName } from '../syscalls.js';

/** SECCOMP_USER_NOTIF_FLAG_CONTINUE (include/uapi/linux/seccomp.h, Linux 5.5). */
const FLAG_CONTINUE = 1;
/** SECCOMP_ADDFD_FLAG_SETFD / SECCOMP_ADDFD_FLAG_SEND (Linux 5.9 / 5.14). */
const ADDFD_SETFD = 1;
const ADDFD_SEND = 2;
const O_CLOEXEC = 0o2000000;

/** Options of {@link SeccompNotification.addFd}. */
export interface AddFdOptions {
  /** Put the fd at this number in the target (SECCOMP_ADDFD_FLAG_SETFD, replacing what was there); default: the lowest free number. */
  targetFd?: number;
  /** Also answer the notification with the new fd number as the call's result, atomically (SECCOMP_ADDFD_FLAG_SEND, Linux 5.14). */
  send?: boolean;
  /** Open the fd close-on-exec in the target. */
  cloexec?: boolean;
}

/** The kc arch name of a notification, from its AUDIT_ARCH value and the x32 bit of the number. */
function archOf(auditArch: number, nr: number): ArchName | undefined {
  for (const name of ARCH_NAMES) {
    if (archInfo(name).auditArch !== auditArch >>> 0) continue;
    if (name === 'x86_64' && nr >>> 0 >= X32_SYSCALL_BIT) return 'x32'; // as the compiler: every number from bit 30 up
    if (name === 'x32' && nr >>> 0 < X32_SYSCALL_BIT) continue;
    return name;
  }
  return undefined;
}

/**
 * One system call of a supervised process, stopped in the kernel until the
 * supervisor answers it (seccomp_unotify(2)). Answer exactly once with
 * {@link deny}, {@link respond}, {@link continue} or `addFd({ send: true })`;
 * a second answer, or one after the target died, returns false.
 *
 * The target's memory can change between the supervisor's look and the
 * kernel's own use of it: never {@link continue} a call because of what a
 * pointer argument showed (see {@link readTargetString}).
 */
export class SeccompNotification {
  /** The kernel's cookie for this notification. */
  readonly id: bigint;
  /** The calling thread, in the supervisor's pid namespace. */
  readonly pid: number;
  /** The architecture of the call (x32 told apart from x86_64 by the number's bit 30), or undefined for one kc has no table for. */
  readonly arch: ArchName | undefined;
  /** The AUDIT_ARCH_* value from `seccomp_data.arch`. */
  readonly auditArch: number;
  /** The system-call number as the kernel saw it. */
  readonly nr: number;
  /** The system call's name from kc's tables, or undefined when unknown. */
  readonly syscall: string | undefined;
  /** The six argument registers, unsigned 64-bit. */
  readonly args: readonly bigint[];
  /** The instruction pointer of the caller. */
  readonly instructionPointer: bigint;
  #answered = false;

  /** Wraps a received notification; `listenerFd` is the fd it came from. */
  constructor(
    private readonly listenerFd: number,
    raw: RawSeccompNotification,
  ) {
    this.id = raw.id;
    this.pid = raw.pid;
    this.auditArch = raw.arch >>> 0;
    this.nr = raw.nr;
    this.arch = archOf(raw.arch, raw.nr);
    this.syscall = this.arch ? syscallName(this.arch, raw.nr) : undefined;
    this.args = Object.freeze([...raw.args]);
    this.instructionPointer = raw.ip;
  }

  /** True once this object has sent an answer. */
  get answered(): boolean {
    return this.#answered;
  }

  /**
   * Fails the call with `errno` (1..4095) without running it.
   * @returns false when the target is gone (killed) or the call was already answered.
   * @throws {@link SeccompError} INVALID_ARGUMENT for an errno out of range; the ioctl's errno otherwise.
   */
  deny(errno = 1): boolean {
    if (!Number.isInteger(errno) || errno < 1 || errno > 4095)
      throw invalidArgument(SeccompError, 'errno', `${errno} is not an errno in 1..4095`, 'use e.g. os.constants.errno.EPERM');
    return this.#send(0n, -errno, 0);
  }

  /**
   * Makes the call return `value` without running it (e.g. a faked result).
   * @returns false when the target is gone or the call was already answered.
   * @throws {@link SeccompError} when the ioctl fails.
   */
  respond(value: bigint | number): boolean {
    return this.#send(BigInt(value), 0, 0);
  }

  /**
   * Lets the kernel run the call as if the filter had allowed it
   * (SECCOMP_USER_NOTIF_FLAG_CONTINUE, Linux 5.5). Caveat (seccomp_unotify(2)):
   * a pointer argument may point to memory another thread changes after the
   * supervisor looked at it (TOCTOU), so CONTINUE must never be used to
   * enforce a security decision based on pointed-to data; it is safe for
   * decisions on register arguments or the calling pid alone.
   * @returns false when the target is gone or the call was already answered.
   * @throws {@link SeccompError} when the ioctl fails.
   */
  continue(): boolean {
    return this.#send(0n, 0, FLAG_CONTINUE);
  }

  /**
   * True while the target still waits for this answer (SECCOMP_IOCTL_NOTIF_ID_VALID):
   * its pid then still names the caller, so `/proc/PID/...` opened before this check is its.
   * @throws {@link SeccompError} when the ioctl fails.
   */
  isValid(): boolean {
    return translateNative(SeccompError, () => rawSeccomp().seccompNotifIdValid(this.listenerFd, this.id));
  }

  /**
   * Installs a copy of the supervisor's `fd` in the target
   * (SECCOMP_IOCTL_NOTIF_ADDFD, Linux 5.9; `send` needs 5.14). Without `send`,
   * the call still needs an answer, e.g. `respond(newFd)`.
   * @returns the fd number in the target.
   * @throws {@link SeccompError} INVALID_ARGUMENT for a bad fd; `ENOENT` when the target is gone; `EINVAL` on kernels without the feature (probe with {@link SeccompSupervisor.addFdSupport}).
   * @example
   * ```ts
   * const fd = fs.openSync('/etc/hostname', 'r');
   * n.addFd(fd, { send: true }); // the target's open() returns a copy of fd
   * ```
   */
  addFd(fd: number, opts: AddFdOptions = {}): number {
    if (!Number.isInteger(fd) || fd < 0) throw invalidArgument(SeccompError, 'fd', `${fd} is not an open fd`);
    if (opts.targetFd !== undefined && (!Number.isInteger(opts.targetFd) || opts.targetFd < 0))
      throw invalidArgument(SeccompError, 'targetFd', `${opts.targetFd} is not an fd number`);
    let flags = 0;
    if (opts.targetFd !== undefined) flags |= ADDFD_SETFD;
    if (opts.send) flags |= ADDFD_SEND;
    const r = translateNative(SeccompError, () =>
      rawSeccomp().seccompNotifAddfd(this.listenerFd, this.id, fd, opts.targetFd ?? 0, opts.cloexec ? O_CLOEXEC : 0, flags),
    );
    if (opts.send) this.#answered = true;
    return r;
  }

  #send(val: bigint, error: number, flags: number): boolean {
    if (this.#answered) return false;
    const ok = translateNative(SeccompError, () => rawSeccomp().seccompNotifSend(this.listenerFd, this.id, val, error, flags));
    this.#answered = true;
    return ok;
  }
}
