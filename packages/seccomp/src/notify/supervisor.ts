import { closeSync } from 'node:fs';
import { abortError, type FdWatch, fromNative, invalidArgument, PollEvent, rawSeccomp, watchFd } from '@kc/native';
import { SeccompError } from '../errors.js';
import { SeccompNotification } from './notification.js';

/** Options of {@link SeccompSupervisor}. */
export interface SupervisorOptions {
  /**
   * Ends the supervisor when aborted, as Node's `events.on`: the pending (or
   * next) `next()` rejects with an `AbortError` whose `cause` is the signal's
   * reason, after the notifications already received; unanswered calls then
   * fail with ENOSYS once the fd closes. Already aborted: the constructor
   * throws that `AbortError` (and closes the fd unless `keepFd`).
   */
  signal?: AbortSignal;
  /** Leave the listener fd open when the supervisor ends (default: it closes it; the fd is the caller's from spawn). */
  keepFd?: boolean;
}

/** Which SECCOMP_IOCTL_NOTIF_ADDFD features the kernel has, see {@link SeccompSupervisor.addFdSupport}. */
export interface AddFdSupport {
  /** SECCOMP_IOCTL_NOTIF_ADDFD itself (Linux 5.9). */
  addFd: boolean;
  /** SECCOMP_ADDFD_FLAG_SEND (Linux 5.14). */
  send: boolean;
}

/**
 * Receives the user notifications (`Act.notify` / SECCOMP_RET_USER_NOTIF)
 * of a supervised process as an async iterator. The listener fd is polled in
 * libuv ({@link watchFd}): no thread blocks, and each notification is received
 * only once the kernel says one is pending. Iteration ends when every process
 * using the filter has exited and been reaped (the fd reports POLLHUP), when
 * `signal` aborts, or on `break`/dispose; the listener fd is then closed, and
 * the kernel fails calls still waiting for an answer with ENOSYS.
 *
 * Privileges: none beyond owning the listener fd.
 * @throws {@link SeccompError} (from the iterator) when receiving fails.
 * @example
 * ```ts
 * const child = spawn({ argv, noNewPrivileges: true, seccomp: toSpawnSeccomp(compile(p), { listener: true }) });
 * using sup = new SeccompSupervisor(child.seccompListenerFd!);
 * for await (const n of sup) n.syscall === 'mkdir' ? n.deny(EPERM) : n.continue();
 * ```
 */
export class SeccompSupervisor implements AsyncIterableIterator<SeccompNotification>, Disposable {
  /** The listener fd this supervisor reads. */
  readonly fd: number;
  readonly #keepFd: boolean;
  readonly #queue: SeccompNotification[] = [];
  #waiting: { resolve: (r: IteratorResult<SeccompNotification>) => void; reject: (e: unknown) => void } | null = null;
  #watch: FdWatch | null;
  #error: unknown = null;
  #done = false;
  #signal: AbortSignal | undefined;
  #onAbort = () => this.#fail(abortError(this.#signal as AbortSignal));
  #addFd: AddFdSupport | undefined;

  /**
   * Starts polling `listenerFd` (e.g. `KcProcess.seccompListenerFd`).
   * @throws {@link SeccompError} `INVALID_ARGUMENT` for a bad fd; `AbortError` when `opts.signal` is already aborted.
   */
  constructor(listenerFd: number, opts: SupervisorOptions = {}) {
    if (!Number.isInteger(listenerFd) || listenerFd < 0)
      throw invalidArgument(SeccompError, 'listenerFd', `${listenerFd} is not an fd`, 'spawn with seccomp: toSpawnSeccomp(filter, { listener: true })');
    this.fd = listenerFd;
    this.#keepFd = opts.keepFd ?? false;
    this.#signal = opts.signal;
    if (opts.signal?.aborted) {
      // The supervisor owns the fd from here (it closes it when it ends), so refusing to start ends it too.
      this.#done = true;
      this.#watch = null;
      if (!this.#keepFd) closeSync(listenerFd);
      throw abortError(opts.signal);
    }
    this.#watch = watchFd(
      listenerFd,
      PollEvent.Readable | PollEvent.Disconnect,
      (events) => this.#onReady(events),
      (e) => this.#fail(e),
    );
    opts.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  #onReady(events: number): void {
    let got = 0;
    try {
      for (;;) {
        const raw = rawSeccomp().seccompNotifRecv(this.fd);
        if (!raw) break;
        got++;
        this.#push(new SeccompNotification(this.fd, raw));
      }
    } catch (e) {
      this.#fail(fromNative(SeccompError, e));
      return;
    }
    // POLLHUP: no process uses the filter any more (kernel/seccomp.c seccomp_notify_poll).
    if (got === 0 && events & PollEvent.Disconnect) this.#finish();
  }

  #push(n: SeccompNotification): void {
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = null;
      w.resolve({ value: n, done: false });
    } else this.#queue.push(n);
  }

  /** Ends with `e`, delivered once: to the pending `next()`, else to the next one after the queued notifications. */
  #fail(e: unknown): void {
    if (this.#done) return;
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = null;
      w.reject(e);
    } else this.#error = e;
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#watch?.stop();
    this.#watch = null;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (!this.#keepFd) {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed by its owner */
      }
    }
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = null;
      w.resolve({ value: undefined, done: true });
    }
  }

  /** True once the supervisor has ended (target gone, aborted, disposed or failed). */
  get ended(): boolean {
    return this.#done;
  }

  /** The next notification; `done` once the supervisor has ended (queued notifications are delivered first). */
  next(): Promise<IteratorResult<SeccompNotification>> {
    const n = this.#queue.shift();
    if (n) return Promise.resolve({ value: n, done: false });
    if (this.#error) {
      const e = this.#error;
      this.#error = null;
      return Promise.reject(e);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiting) return Promise.reject(invalidArgument(SeccompError, 'next', 'a previous next() is still pending', 'iterate with one for await loop'));
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  /** Ends the supervisor (called by `break` in `for await`). */
  return(): Promise<IteratorResult<SeccompNotification>> {
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Returns the supervisor itself: it is its own iterator, so one `for await` loop consumes it (a second concurrent `next()` is rejected). */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Stops polling and closes the listener fd (unless `keepFd`). */
  [Symbol.dispose](): void {
    this.#finish();
  }

  /** Lets Node exit while the supervisor still waits. */
  unref(): void {
    this.#watch?.unref();
  }

  /**
   * Probes SECCOMP_IOCTL_NOTIF_ADDFD on this listener: an ADDFD for an id that
   * is not pending fails with ENOENT where the ioctl and its flags exist, and
   * with EINVAL where they do not (kernel/seccomp.c seccomp_notify_addfd checks
   * the flags first). Nothing is installed anywhere.
   * @throws {@link SeccompError} when the probe fails otherwise, or the supervisor has ended.
   */
  addFdSupport(): AddFdSupport {
    if (this.#addFd) return this.#addFd;
    if (this.#done) throw new SeccompError('the supervisor has ended', { code: 'INVALID_STATE' });
    const probe = (flags: number) => {
      try {
        // Ids are 64-bit counters from a random start: 2^64-1 is never pending in practice.
        rawSeccomp().seccompNotifAddfd(this.fd, 0xffffffffffffffffn, this.fd, 0, 0, flags);
        return true;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'ENOENT') return true;
        if (code === 'EINVAL' || code === 'ENOTTY') return false;
        throw fromNative(SeccompError, e);
      }
    };
    this.#addFd = { addFd: probe(0), send: probe(2) };
    return this.#addFd;
  }
}
