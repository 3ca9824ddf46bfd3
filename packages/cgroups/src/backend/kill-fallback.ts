import { constants } from 'node:os';
import { sleep } from '../internal/fs.js';

/**
 * Kills every process a cgroup subtree holds where the kernel has no
 * `cgroup.kill` (v1, or v2 before Linux 5.14): freeze so nothing forks
 * between listing and killing, SIGKILL each listed pid, thaw so the signals
 * are delivered, and repeat until the subtree is empty (as runc's
 * signalAllProcesses does).
 */
export async function killByListing(listAll: () => number[], freeze: ((frozen: boolean) => void) | undefined, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; Date.now() < deadline; round++) {
    const pids = listAll();
    if (pids.length === 0) return true;
    freeze?.(true);
    for (const pid of listAll()) {
      try {
        process.kill(pid, constants.signals.SIGKILL);
      } catch {
        // ESRCH: it exited meanwhile.
      }
    }
    freeze?.(false);
    await sleep(round < 10 ? 2 : 10);
  }
  return listAll().length === 0;
}

/** Resolves once `check()` is true, re-checking with a short back-off; false on timeout. */
export async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(i < 20 ? 1 : 10);
  }
}
