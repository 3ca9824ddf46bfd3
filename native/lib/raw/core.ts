import { loadAddon } from '../addon.js';

/** Exit status as the raw binding reports it. */
export interface RawExit {
  /** The exit status 0..255 (`si_status` when `si_code` is CLD_EXITED); null when killed by a signal. */
  exitCode: number | null;
  /** The number of the signal that killed the process; null when it exited normally. */
  signal: number | null;
  /** True when the kernel reported CLD_DUMPED (a core dump was written). */
  core: boolean;
  /** CPU time in user mode of the process and the children it waited for, microseconds (waitid(2) rusage `ru_utime`). */
  userUsec: number;
  /** CPU time in the kernel, the same way (`ru_stime`), microseconds. */
  systemUsec: number;
  /** Largest resident set size of the process or a child it waited for, KiB (`ru_maxrss`). */
  maxRssKib: number;
}

/** The libuv fd poller class exported by binding/poll.cc. */
export interface RawFdWatcher {
  /** uv_poll_start for a mask of {@link PollEvent} bits (1 readable, 2 writable, 4 disconnect, 8 priority). */
  start(events: number): void;
  /** uv_poll_stop; the fd itself is not closed. */
  stop(): void;
  /** uv_ref: the poll handle keeps the event loop alive (the default). */
  ref(): void;
  /** uv_unref: the event loop may exit while the handle is active. */
  unref(): void;
}

/** Constructor of {@link RawFdWatcher}. */
export interface RawFdWatcherClass {
  /** Polls `fd`; `callback(status, events)` runs on the main thread (status < 0 is a libuv error). */
  new (fd: number, callback: (status: number, events: number) => void): RawFdWatcher;
}

/** Raw functions of binding/proc.cc and binding/poll.cc. */
export interface RawCore {
  /** pidfd_open(2) (Linux 5.3+): a new close-on-exec pidfd for `pid` of the caller's pid namespace. */
  pidfdOpen(pid: number): number;
  /** pidfd_send_signal(2) of signal number `signal` to the process of `pidfd`. */
  pidfdSendSignal(pidfd: number, signal: number): void;
  /** waitid(P_PIDFD, WEXITED) (Linux 5.4+): reaps the process and returns its status; with `nohang`, null while it still runs. */
  pidfdWait(pidfd: number, nohang: boolean): RawExit | null;
  /** close(2) of `fd`; throws a {@link RawNativeError} when it fails (e.g. EBADF). */
  closeFd(fd: number): void;
  /**
   * Class of libuv poll handles (binding/poll.cc). The constructor only
   * registers `callback(status, events)`: `status` is 0 or a negative libuv
   * error, `events` a mask of {@link PollEvent} bits that are ready. The fd
   * stays owned by the caller; polling begins with `start`.
   */
  FdWatcher: RawFdWatcherClass;
}

/** The core raw binding, loaded lazily. */
export function rawCore(): RawCore {
  return loadAddon<RawCore>();
}
