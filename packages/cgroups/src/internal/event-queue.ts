import { abortError } from '@kc/native';

/**
 * A push-to-pull bridge: kernel notifications arrive by callback (libuv poll)
 * and leave as an async iterator. Ends on `close()`, on a failure, on the
 * AbortSignal, or when the consumer breaks out of its `for await`; `onClose`
 * then releases the fds and watchers exactly once. An abort ends it as Node's
 * `events.on` does: the pending (or next) `next()` rejects with an
 * `AbortError` whose `cause` is the signal's reason, after the queued items.
 * A signal already aborted is the caller's to refuse (with {@link abortError})
 * before it opens anything.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((e: unknown) => void) | undefined;
  private closed = false;
  private error: unknown;

  constructor(
    private readonly onClose: () => void,
    signal?: AbortSignal,
  ) {
    if (signal?.aborted) this.fail(abortError(signal));
    else signal?.addEventListener('abort', () => this.fail(abortError(signal)), { once: true });
  }

  push(item: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      this.failWaiting = undefined;
      w({ value: item, done: false });
    } else this.items.push(item);
  }

  /** Ends the iterator with `e`, delivered once: to the pending `next()`, else to the next one after the queued items. Ignored once closed. */
  fail(e: unknown): void {
    if (this.closed) return;
    const reject = this.failWaiting;
    this.waiting = undefined;
    this.failWaiting = undefined;
    if (reject) reject(e);
    else this.error = e;
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    if (this.waiting) this.waiting({ value: undefined, done: true });
    this.waiting = undefined;
    this.failWaiting = undefined;
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.error !== undefined) {
      const e = this.error;
      this.error = undefined;
      return Promise.reject(e);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
