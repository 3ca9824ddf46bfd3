/**
 * A push-to-pull bridge: kernel notifications arrive by callback (libuv poll)
 * and leave as an async iterator. Ends on `close()`, on the AbortSignal, or
 * when the consumer breaks out of its `for await`; `onClose` then releases
 * the fds and watchers exactly once.
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
    if (signal?.aborted) this.close();
    signal?.addEventListener('abort', () => this.close(), { once: true });
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

  fail(e: unknown): void {
    this.error = e;
    if (this.failWaiting) this.failWaiting(e);
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
    if (this.error !== undefined) return Promise.reject(this.error);
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
