import { constants } from 'node:os';
import type { ExitStatus } from '@kc/native';

/** A process's end as containerd records it: an exit status (128 + signal when killed) and when. */
export interface ShimExit {
  readonly status: number;
  readonly at: Date;
}

/** The status containerd and shells report: the exit code, or 128 + the number of the signal that killed the process. */
export function exitCodeOf(s: ExitStatus): number {
  if (s.exitCode !== null) return s.exitCode;
  const n = s.signal ? constants.signals[s.signal] : undefined;
  return 128 + (n ?? 0);
}

/**
 * Where one process's exit lands: set once, kept until the task or exec is
 * deleted (containerd asks for it after the fact with Wait, State, Delete).
 */
export class ExitSlot {
  #exit: ShimExit | undefined;
  readonly #waiters: ((e: ShimExit) => void)[] = [];

  /** The exit, once it happened. */
  get exit(): ShimExit | undefined {
    return this.#exit;
  }

  /** Records the exit (only the first call counts) and wakes every waiter. */
  set(exit: ShimExit): void {
    if (this.#exit) return;
    this.#exit = exit;
    for (const w of this.#waiters.splice(0)) w(exit);
  }

  /** Resolves at the exit (at once when it already happened). */
  wait(): Promise<ShimExit> {
    const e = this.#exit;
    if (e) return Promise.resolve(e);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
