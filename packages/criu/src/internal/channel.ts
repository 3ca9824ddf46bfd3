import { closeSync } from 'node:fs';
import { type FdWatch, PollEvent, rawSocket, watchFd } from '@kc/native';

/**
 * One end of a SOCK_SEQPACKET socket carrying whole protobuf messages. Reads
 * are driven by libuv (watchFd), so waiting for CRIU never blocks Node; the
 * watch only exists while a receive is pending, so an idle channel does not
 * keep the process alive.
 */
export class SeqpacketChannel {
  readonly fd: number;
  #queue: { data: Buffer; fds: number[] }[] = [];
  #waiters: { resolve: (m: Buffer | null) => void; reject: (e: unknown) => void }[] = [];
  #watch: FdWatch | null = null;
  #eof = false;
  #closed = false;

  constructor(fd: number) {
    this.fd = fd;
  }

  /** Sends one message; waits for room when the socket buffer is full. */
  async send(data: Uint8Array, fds: number[] = []): Promise<void> {
    for (;;) {
      if (this.#closed) throw new Error('channel closed');
      if (rawSocket().seqpacketSend(this.fd, data, fds) >= 0) return;
      await new Promise<void>((resolve) => {
        const w = watchFd(this.fd, PollEvent.Writable, () => {
          w.stop();
          resolve();
        });
      });
    }
  }

  /** The next message, or null once the peer closed its end. */
  receive(): Promise<Buffer | null> {
    this.#drain();
    const next = this.#queue.shift();
    if (next) {
      // Fds passed with RPC messages are not used by kc: close them.
      for (const fd of next.fds) closeSync(fd);
      return Promise.resolve(next.data);
    }
    if (this.#eof || this.#closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#ensureWatch();
    });
  }

  /** Closes the socket; pending receives resolve with null. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopWatch();
    for (const w of this.#waiters.splice(0)) w.resolve(null);
    for (const m of this.#queue.splice(0)) for (const fd of m.fds) closeSync(fd);
    closeSync(this.fd);
  }

  #drain(): void {
    while (!this.#eof && !this.#closed) {
      const m = rawSocket().seqpacketReceive(this.fd);
      if (m === null) return;
      if (m.eof) {
        this.#eof = true;
        return;
      }
      this.#queue.push({ data: m.data, fds: m.fds });
    }
  }

  #deliver(): void {
    while (this.#waiters.length > 0) {
      const next = this.#queue.shift();
      if (next) {
        for (const fd of next.fds) closeSync(fd);
        this.#waiters.shift()?.resolve(next.data);
      } else if (this.#eof) {
        this.#waiters.shift()?.resolve(null);
      } else {
        break;
      }
    }
    if (this.#waiters.length === 0) this.#stopWatch();
  }

  #ensureWatch(): void {
    if (this.#watch) return;
    this.#watch = watchFd(
      this.fd,
      PollEvent.Readable | PollEvent.Disconnect,
      () => {
        try {
          this.#drain();
        } catch (e) {
          for (const w of this.#waiters.splice(0)) w.reject(e);
          this.#stopWatch();
          return;
        }
        this.#deliver();
      },
      (e) => {
        for (const w of this.#waiters.splice(0)) w.reject(e);
        this.#stopWatch();
      },
    );
  }

  #stopWatch(): void {
    this.#watch?.stop();
    this.#watch = null;
  }
}
