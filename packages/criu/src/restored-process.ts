import { type ExitStatus, exitStatusFromRaw, type FdWatch, PollEvent, rawCore, signalNumber, watchFd } from '@kc/native';

/**
 * How a restored process ended: exactly one of `exitCode` and `signal` is set.
 * @deprecated {@link RestoredProcess.exited} resolves with `@kc/native`'s `ExitStatus`
 * (these two fields and the CPU time and peak memory the kernel reports at reaping), as
 * `KcProcess.exited` does; this type names the two fields it used to carry.
 */
export type RestoredExit = Pick<ExitStatus, 'exitCode' | 'signal'>;

/**
 * The root of a tree restored as a child of this Node process (CRIU's
 * `rst_sibling`). Its exit is observed through a pidfd polled by libuv and
 * it is reaped by kc, so no zombie is left behind. It has the members of
 * `@kc/native`'s `KcProcess` with the same meaning: `pid`, `exited`,
 * `wait()`, `kill()`, `unref()` and `await using`.
 */
export class RestoredProcess implements AsyncDisposable {
  /** The restored root's pid, as this process sees it. */
  readonly pid: number;
  /**
   * Resolves once the process exited and was reaped, with its exit code or
   * signal and what the kernel reported at reaping (`userCpuUs`, `systemCpuUs`,
   * `maxRssBytes`: counted since the restore, not since the original start).
   * `timedOut` is always false: a restore has no `timeoutMs`.
   */
  readonly exited: Promise<ExitStatus>;
  #pidfd: number;
  #watch: FdWatch | null = null;
  #done = false;

  /** Wraps the child `pid` (a restored sibling); opens a pidfd for it. */
  constructor(pid: number) {
    this.pid = pid;
    this.#pidfd = rawCore().pidfdOpen(pid);
    this.exited = new Promise<ExitStatus>((resolve) => {
      this.#watch = watchFd(this.#pidfd, PollEvent.Readable, () => {
        const raw = rawCore().pidfdWait(this.#pidfd, true);
        if (!raw) return;
        this.#watch?.stop();
        this.#watch = null;
        rawCore().closeFd(this.#pidfd);
        this.#done = true;
        resolve(exitStatusFromRaw(raw));
      });
    });
  }

  /** Sends a signal through the pidfd; false when the process already exited. @throws {KcError} INVALID_ARGUMENT for an unknown signal name. */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    if (this.#done) return false;
    try {
      rawCore().pidfdSendSignal(this.#pidfd, signalNumber(signal));
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'ESRCH') return false;
      throw e;
    }
  }

  /** Waits for exit; the same as awaiting {@link RestoredProcess.exited} (as `KcProcess.wait()`). */
  wait(): Promise<ExitStatus> {
    return this.exited;
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
