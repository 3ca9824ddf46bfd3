import { KcError } from './errors.js';
import { rawCore, type RawFdWatcher } from './raw/core.js';

/** Poll events understood by {@link watchFd}. */
export const PollEvent = {
  /** UV_READABLE (POLLIN): data to read, a pidfd whose process exited, a pending seccomp notification. */
  Readable: 1,
  /** UV_WRITABLE (POLLOUT): the fd accepts writes without blocking. */
  Writable: 2,
  /** UV_DISCONNECT (POLLRDHUP): the peer closed its end of a socket. */
  Disconnect: 4,
  /** UV_PRIORITIZED (POLLPRI): urgent data, e.g. a fired PSI trigger or a changed cgroup `*.events` file. */
  Priority: 8,
} as const;

/** A running fd watch; stop it when done. */
export interface FdWatch {
  /** Stops polling and releases the libuv handle (the fd itself stays open). */
  stop(): void;
  /** Lets the process exit while this watch is active. */
  unref(): void;
  /** Keeps the process alive while this watch is active (the default). */
  ref(): void;
}

/**
 * Polls `fd` in libuv and calls `onEvent` on the main thread whenever it is
 * ready; no thread blocks. Used for pidfds, seccomp listeners, netlink
 * sockets, inotify, eventfds and PSI triggers.
 *
 * @param events - a mask of {@link PollEvent} values
 * @example
 * ```ts
 * const w = watchFd(pidfd, PollEvent.Readable, () => { w.stop(); console.log('exited'); });
 * ```
 */
export function watchFd(fd: number, events: number, onEvent: (events: number) => void, onError?: (e: Error) => void): FdWatch {
  const core = rawCore();
  let watcher: RawFdWatcher | undefined;
  watcher = new core.FdWatcher(fd, (status, ready) => {
    if (status < 0) {
      const err = new KcError(`polling fd ${fd} failed (libuv status ${status})`, { errno: -status, syscall: 'poll' });
      if (onError) onError(err);
      else throw err;
      return;
    }
    onEvent(ready);
  });
  watcher.start(events);
  return {
    stop() {
      watcher?.stop();
      watcher = undefined;
    },
    unref() {
      watcher?.unref();
    },
    ref() {
      watcher?.ref();
    },
  };
}
