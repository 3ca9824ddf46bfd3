import { constants } from 'node:os';
import { type FdWatch, PollEvent, rawCore, watchFd } from '@kc/native';

/** How a restored process ended: exactly one of `exitCode` and `signal` is set. */
export interface RestoredExit {
  /** The exit status 0..255; null when a signal ended the process. */
  exitCode: number | null;
  /** Name of the signal that killed the process (`'SIGKILL'`); null when it exited normally. */
  signal: NodeJS.Signals | null;
}

const signalNames = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n as number, name as NodeJS.Signals]));

/**
 * The root of a tree restored as a child of this Node process (CRIU's
 * `rst_sibling`). Its exit is observed through a pidfd polled by libuv and
 * it is reaped by kc, so no zombie is left behind.
 */
export class RestoredProcess implements AsyncDisposable {
  /** The restored root's pid, as this process sees it. */
  readonly pid: number;
  /** Resolves once the process exited and was reaped. */
  readonly exited: Promise<RestoredExit>;
  #pidfd: number;
  #watch: FdWatch | null = null;
  #done = false;

  /** Wraps the child `pid` (a restored sibling); opens a pidfd for it. */
  constructor(pid: number) {
    this.pid = pid;
    this.#pidfd = rawCore().pidfdOpen(pid);
    this.exited = new Promise<RestoredExit>((resolve) => {
      const poll = () => {
        const raw = rawCore().pidfdWait(this.#pidfd, true);
        if (!raw) return false;
        this.#watch?.stop();
        this.#watch = null;
        rawCore().closeFd(this.#pidfd);
        this.#done = true;
        resolve({
          exitCode: raw.exitCode,
          signal: raw.signal === null ? null : (signalNames.get(raw.signal) ?? (`SIG${raw.signal}` as NodeJS.Signals)),
        });
        return true;
      };
      this.#watch = watchFd(this.#pidfd, PollEvent.Readable, () => {
        poll();
      });
    });
  }

  /** Sends a signal through the pidfd; false when the process already exited. */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    if (this.#done) return false;
    const n = typeof signal === 'number' ? signal : constants.signals[signal];
    try {
      rawCore().pidfdSendSignal(this.#pidfd, n);
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'ESRCH') return false;
      throw e;
    }
  }

  /** Lets Node exit while the restored process still runs. */
  unref(): void {
    this.#watch?.unref();
  }

  /** Kills (SIGKILL) and reaps the process. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
  }
}
