import { join } from 'node:path';
import { invalidArgument, KcErrorCode } from '@kc/native';
import type { Cgroup } from './cgroup.js';
import { CgroupError } from './errors.js';
import { readCgroupFile, writeCgroupFile } from './internal/fs.js';

/** v2 `cgroup.type` values (cgroup-v2.rst "Threads"). */
export type CgroupType = 'domain' | 'domain threaded' | 'domain invalid' | 'threaded';

function unifiedDir(cg: Cgroup): string {
  const d = cg.unifiedDirectory;
  if (!d) throw new CgroupError('this needs a cgroup v2 hierarchy (none is mounted)', { code: KcErrorCode.Unsupported });
  return d;
}

/**
 * Reads a v2 group's type.
 * @throws {@link CgroupError} `UNSUPPORTED` on legacy hosts.
 */
export function cgroupType(cg: Cgroup): CgroupType {
  return readCgroupFile(join(unifiedDir(cg), 'cgroup.type')).trim() as CgroupType;
}

/** Controllers that work in threaded mode (cgroup-v2.rst "Threads"); others are domain controllers. */
const THREADED_CONTROLLERS = ['cpu', 'cpuset', 'perf_event', 'pids'];

/**
 * Turns a v2 group into a threaded one, so its threads can be spread over
 * threaded children (`addThread`); its parent becomes a threaded domain.
 * A threaded domain may only have threaded controllers enabled, so domain
 * controllers (memory, io...) are first disabled in the parent's
 * `cgroup.subtree_control`. Irreversible for the group's lifetime.
 *
 * @throws {@link CgroupError} `EBUSY` when a sibling still uses a domain controller, `EOPNOTSUPP` when the parent cannot be a thread root (e.g. it is populated as a domain with domain controllers).
 */
export function makeThreaded(cg: Cgroup): void {
  const dir = unifiedDir(cg);
  const parentControl = join(dir, '..', 'cgroup.subtree_control');
  const domain = readCgroupFile(parentControl)
    .split(/\s+/)
    .filter((c) => c && !THREADED_CONTROLLERS.includes(c));
  if (domain.length) writeCgroupFile(parentControl, domain.map((c) => `-${c}`).join(' '));
  writeCgroupFile(join(dir, 'cgroup.type'), 'threaded');
}

/** Limits on the subtree below a v2 group; `'max'` lifts them. */
export interface TreeLimits {
  /** `cgroup.max.depth`: how deep descendants may nest. */
  maxDepth?: number | 'max';
  /** `cgroup.max.descendants`: how many live descendants may exist. */
  maxDescendants?: number | 'max';
}

/**
 * Sets `cgroup.max.depth` / `cgroup.max.descendants` of a v2 group; mkdir
 * below it then fails with EAGAIN past the limit.
 * @throws {@link CgroupError} `INVALID_ARGUMENT` for a negative or fractional limit.
 */
export function setTreeLimits(cg: Cgroup, limits: TreeLimits): void {
  for (const [k, v] of Object.entries(limits)) {
    if (v !== 'max' && (!Number.isInteger(v) || (v as number) < 0))
      throw invalidArgument(CgroupError, k, `must be a non-negative integer or "max", got ${String(v)}`);
  }
  const dir = unifiedDir(cg);
  if (limits.maxDepth !== undefined) writeCgroupFile(join(dir, 'cgroup.max.depth'), String(limits.maxDepth));
  if (limits.maxDescendants !== undefined) writeCgroupFile(join(dir, 'cgroup.max.descendants'), String(limits.maxDescendants));
}

/** Reads a v2 group's subtree limits. */
export function treeLimits(cg: Cgroup): Required<TreeLimits> {
  const dir = unifiedDir(cg);
  const parse = (t: string) => (t.trim() === 'max' ? 'max' : Number(t));
  return {
    maxDepth: parse(readCgroupFile(join(dir, 'cgroup.max.depth'))),
    maxDescendants: parse(readCgroupFile(join(dir, 'cgroup.max.descendants'))),
  };
}
