import { closeSync, constants, openSync } from 'node:fs';
import type { CgroupBackend } from '../backend/types.js';
import { fsError } from './fs.js';
import { joinPath } from './paths.js';

/**
 * Creates `path` and its missing parents, then runs `then`; when anything
 * fails, the directories this call made are removed again, deepest first
 * (nothing was placed in them yet), and the error is rethrown.
 */
export function createTree<T>(backend: CgroupBackend, path: string, then: () => T): T {
  const created: string[] = [];
  try {
    const parts = path.slice(1).split('/');
    for (let i = 1; i <= parts.length; i++) {
      const sub = `/${parts.slice(0, i).join('/')}`;
      if (backend.mkdir(sub, backend.controllers).length) created.push(sub);
    }
    return then();
  } catch (e) {
    for (const sub of created.reverse()) {
      try {
        backend.rmdir(sub);
      } catch {
        // Keep the original error.
      }
    }
    throw e;
  }
}

/** Removes a (now empty) subtree, children before parents. */
export function removeTree(backend: CgroupBackend, path: string): void {
  for (const c of backend.children(path)) removeTree(backend, joinPath(path, c));
  backend.rmdir(path);
}

/** Opens a cgroup v2 directory for CLONE_INTO_CGROUP (O_RDONLY | O_DIRECTORY; Node adds O_CLOEXEC). */
export function openDirectoryFd(dir: string): number {
  try {
    return openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (e) {
    throw fsError(e, 'open', dir, 'opening the cgroup directory failed');
  }
}

/** Closes an fd opened by {@link openDirectoryFd}. */
export function closeFd(fd: number): void {
  closeSync(fd);
}
