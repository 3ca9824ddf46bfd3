import { closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupBackend } from '../backend/types.js';
import { childNames, fsError, removeCgroupDir } from './fs.js';
import { joinPath } from './paths.js';

/**
 * Creates `path` and its missing parents, then runs `then` with the
 * directories of `path` itself this call made (a hierarchy where the group
 * already existed is not among them). When anything fails, only the
 * directories this call made are removed again, deepest first (nothing was
 * placed in them yet): a group or parent that existed before, in any
 * hierarchy, is left as it was. The error is rethrown.
 */
export function createTree<T>(backend: CgroupBackend, path: string, then: (createdLeaf: readonly string[]) => T): T {
  const created: string[] = [];
  let leaf: string[] = [];
  try {
    const parts = path.slice(1).split('/');
    for (let i = 1; i <= parts.length; i++) {
      const sub = `/${parts.slice(0, i).join('/')}`;
      const made = backend.mkdir(sub, backend.controllers);
      created.push(...made);
      if (i === parts.length) leaf = made;
    }
    return then(leaf);
  } catch (e) {
    for (const dir of created.reverse()) {
      try {
        removeCgroupDir(dir);
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

/** Removes one hierarchy's directory of a group and its child groups, children first; a missing directory is fine. */
export function removeDirectoryTree(dir: string): void {
  for (const c of childNames(dir)) removeDirectoryTree(join(dir, c));
  removeCgroupDir(dir);
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
