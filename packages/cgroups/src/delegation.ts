import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';

import type { Cgroup } from './cgroup.js';
import { CgroupError } from './errors.js';

/** The answer of {@link checkDelegation}. */
export interface DelegationReport {
  /** True when `uid` may create children, move processes and set limits below the group. */
  delegated: boolean;
  /** What is missing, one line each (empty when delegated). */
  problems: string[];
}

/**
 * Can `uid` manage the subtree below `cg`? cgroup-v2.rst "Delegation
 * Containment": the delegatee must own the directory and its
 * `cgroup.procs`, `cgroup.subtree_control` and `cgroup.threads` (v2), or the
 * directory and `cgroup.procs`/`tasks` in every v1 hierarchy. Without `uid`,
 * the calling process is checked with access(2).
 */
export function checkDelegation(cg: Cgroup, uid?: number): DelegationReport {
  const problems: string[] = [];
  const unified = cg.unifiedDirectory;
  for (const dir of cg.directories) {
    const files = dir === unified ? ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads'] : ['cgroup.procs', 'tasks'];
    for (const target of [dir, ...files.map((f) => join(dir, f))]) {
      try {
        if (uid === undefined) accessSync(target, constants.W_OK);
        else if (uid !== 0 && statSync(target).uid !== uid) problems.push(`${target} is not owned by uid ${uid}`);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' || target === dir) problems.push(`${target}: ${code === 'EACCES' ? 'not writable' : code}`);
      }
    }
  }
  return { delegated: problems.length === 0, problems };
}

/**
 * Throws unless {@link checkDelegation} passes, with every problem listed.
 * @throws {@link CgroupError} `EACCES` with a hint naming the chown to run.
 */
export function assertDelegated(cg: Cgroup, uid?: number): void {
  const r = checkDelegation(cg, uid);
  if (!r.delegated) {
    throw new CgroupError(`cgroup ${cg.path} is not delegated${uid !== undefined ? ` to uid ${uid}` : ''}: ${r.problems.join('; ')}`, {
      code: 'EACCES',
      path: cg.path,
      hint: `as root: chown ${uid ?? '<uid>'} each of ${cg.directories.join(' ')} and its cgroup.procs${cg.unifiedDirectory ? ', cgroup.subtree_control, cgroup.threads' : ''}`,
    });
  }
}
