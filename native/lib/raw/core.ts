import { loadAddon } from '../addon.js';

/** Exit status as the raw binding reports it. */
export interface RawExit {
  exitCode: number | null;
  signal: number | null;
  core: boolean;
}

/** The libuv fd poller class exported by binding/poll.cc. */
export interface RawFdWatcher {
  start(events: number): void;
  stop(): void;
  ref(): void;
  unref(): void;
}

/** Raw functions of binding/proc.cc and binding/poll.cc. */
export interface RawCore {
  pidfdOpen(pid: number): number;
  pidfdSendSignal(pidfd: number, signal: number): void;
  pidfdWait(pidfd: number, nohang: boolean): RawExit | null;
  closeFd(fd: number): void;
  FdWatcher: new (fd: number, callback: (status: number, events: number) => void) => RawFdWatcher;
}

/** The core raw binding, loaded lazily. */
export function rawCore(): RawCore {
  return loadAddon<RawCore>();
}
