import { CgroupError } from '../errors.js';
import { waitUntil } from './kill-fallback.js';
import type { CgroupBackend } from './types.js';

/**
 * Freezes a group and resolves once the kernel reports it frozen (v2
 * `cgroup.events` frozen 1, v1 `freezer.state` FROZEN). The v1 freezer can
 * stay FREEZING when a task forks or sits in vfork meanwhile
 * (freezer-subsystem.rst); like runc, kc writes again and, every few rounds,
 * thaws and starts over.
 *
 * @throws {@link CgroupError} `ETIMEDOUT` when it never settles.
 */
export async function freezeAndWait(backend: CgroupBackend, path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 1; Date.now() < deadline; round++) {
    backend.setFrozen(path, true);
    if (await waitUntil(() => backend.isFrozen(path), Math.min(200, deadline - Date.now()))) return;
    if (round % 5 === 0) backend.setFrozen(path, false);
  }
  throw new CgroupError('the cgroup did not freeze in time', {
    code: 'ETIMEDOUT',
    path,
  });
}
