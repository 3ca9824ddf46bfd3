/**
 * The container's cgroup, through `@kc/cgroups`' public API only (DESIGN.md
 * "Rules of the house"): one logical group (`/kc/<id>` or
 * `linux.cgroupsPath`) that spans every v1 controller hierarchy and, on a
 * hybrid host, the v2 hierarchy too — where runc's cgroupfs driver puts a
 * container (libcontainer/cgroups/fs: every mounted subsystem, plus the
 * unified tree in hybrid mode).
 */
import { Cgroup, CgroupError, type Resources } from '@kc/cgroups';
import { ContainerError } from '../errors.js';

const FS_ROOT = '/sys/fs/cgroup/';

/** The container's logical cgroup path: `linux.cgroupsPath`, else `/kc/<id>`. */
export function containerCgroupPath(cgroupsPath: string | undefined, id: string): string {
  return `/${(cgroupsPath ?? `/kc/${id}`).replace(/^\/+/, '')}`;
}

/**
 * Refuses a cgroup that already holds processes, in any hierarchy the
 * container would use or below it, and a frozen one: their members are not
 * the container's, yet `kill --all` and `delete` would signal them and its
 * limits would bind them (runc 1.2+ refuses with "container's cgroup is not
 * empty"; 1.1 only warns). An existing empty group is reused, as by runc.
 * @throws {ContainerError} EBUSY naming `linux.cgroupsPath`, before anything is created.
 */
export function refuseOccupiedCgroup(path: string): void {
  const existing = openContainerCgroup(path);
  if (!existing) return;
  const pids = [...new Set([...existing.walk()].flatMap((c) => c.procs()))].sort((a, b) => a - b);
  const shown = pids.length > 8 ? `${pids.slice(0, 8).join(', ')}...` : pids.join(', ');
  if (pids.length) {
    throw new ContainerError(`container's cgroup is not empty: ${pids.length} process(es) found in ${path}`, {
      code: 'EBUSY',
      field: 'linux.cgroupsPath',
      path,
      hint: `pid(s) ${shown} are already in cgroup ${path} (${existing.directories.join(', ')}); kc does not share a cgroup with processes it did not start: name a new or empty cgroup in linux.cgroupsPath, or move those processes out first`,
    });
  }
  let frozen = false;
  try {
    frozen = existing.frozen;
  } catch {
    /* no freezer here: it cannot be frozen */
  }
  if (frozen) {
    throw new ContainerError(`container's cgroup ${path} is frozen`, {
      code: 'EBUSY',
      field: 'linux.cgroupsPath',
      path,
      hint: 'thaw it (or name another cgroup in linux.cgroupsPath): a process placed in a frozen cgroup never runs',
    });
  }
}

/**
 * Creates the group with its limits, after {@link refuseOccupiedCgroup}.
 * @kc/cgroups validates everything before the first mkdir and removes what
 * it made when a write fails; a group that existed (empty) is reused and its
 * directories are not in `createdDirectories`, so kc never removes them.
 * @throws {ContainerError} EBUSY for an occupied group; wrapping the {@link CgroupError} (same code, path and hint).
 */
export function createContainerCgroup(path: string, resources: Resources): Cgroup {
  refuseOccupiedCgroup(path);
  try {
    return Cgroup.create(path, { resources });
  } catch (e) {
    throw asContainerError(e, `cannot create cgroup ${path}`);
  }
}

/** Opens the container's existing group, or undefined when no hierarchy has it (already deleted). */
export function openContainerCgroup(path: string): Cgroup | undefined {
  try {
    return Cgroup.open(path);
  } catch (e) {
    if (e instanceof CgroupError && e.code === 'NOT_FOUND') return undefined;
    throw e;
  }
}

/**
 * The group's host directories keyed by hierarchy directory name under
 * /sys/fs/cgroup (`memory`, `cpu,cpuacct`, `unified`; `''` on a unified
 * host): what the container's `/sys/fs/cgroup` binds without a cgroup
 * namespace, and the v1 freezer CRIU freezes with.
 */
export function cgroupDirsOf(cg: Cgroup): Record<string, string> {
  if (cg.mode === 'unified') return { '': cg.unifiedDirectory as string };
  const dirs: Record<string, string> = {};
  const suffix = cg.path === '/' ? '' : cg.path;
  for (const d of cg.directories) {
    const mount = d.slice(0, d.length - suffix.length);
    if (mount.startsWith(FS_ROOT)) dirs[mount.slice(FS_ROOT.length)] = d;
  }
  return dirs;
}

/**
 * Sends `signal` to every process of the group (`kc kill --all`), without
 * waiting; delete uses @kc/cgroups' `kill()`, which also waits until empty.
 * Every member is the container's: create refused a group that held
 * processes ({@link refuseOccupiedCgroup}).
 */
export function signalAll(cg: Cgroup, signal: number): void {
  for (const pid of cg.procs()) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Resource usage of the container, as `kc events --stats` reports it. */
export interface ContainerStats {
  /** Memory in use by the group, in bytes (`memory.current` / `memory.usage_in_bytes`); absent without the memory controller. */
  memoryBytes?: number;
  /** The group's memory limit in bytes; absent when unlimited or without the memory controller. */
  memoryLimitBytes?: number;
  /** CPU time used by the group, in nanoseconds at microsecond resolution (`cpu.stat` usage_usec / `cpuacct.usage`); absent without CPU accounting. */
  cpuNanoseconds?: number;
  /** Number of tasks in the group (`pids.current`); absent without the pids controller. */
  pids?: number;
  /** The group's task limit (`pids.max`), `'max'` when unlimited; absent without the pids controller. */
  pidsLimit?: number | 'max';
  /** Times the OOM killer killed a process of the group (`oom_kill` of `memory.events` / `memory.oom_control`); absent without the memory controller. */
  oomKills?: number;
}

/**
 * Resource usage of the container.
 * @deprecated use {@link ContainerStats}: `CgroupStats` of `@kc/cgroups` is a cgroup's full statistics.
 */
export type CgroupStats = ContainerStats;

/**
 * Removes the container's group: kills what is left in it, then removes the
 * directories kc made at create (`created`, from the record), never one that
 * existed before; records of older kc versions (no list) remove them all.
 * @throws {ContainerError} wrapping a {@link CgroupError}.
 */
export async function deleteContainerCgroup(cg: Cgroup, created: readonly string[] | undefined, message: string): Promise<void> {
  await cg.delete({ kill: true, ...(created ? { directories: created } : {}) }).catch((e: unknown) => {
    throw asContainerError(e, message);
  });
}

/** Usage counters of the group, from @kc/cgroups' typed stats. */
export function containerStats(cg: Cgroup): ContainerStats {
  const s = cg.stats();
  const out: ContainerStats = {};
  if (s.memory) {
    out.memoryBytes = s.memory.usage;
    if (s.memory.limit !== 'max') out.memoryLimitBytes = s.memory.limit;
    out.oomKills = s.memory.oomKills;
  }
  if (s.cpu) out.cpuNanoseconds = s.cpu.usageUsec * 1000;
  if (s.pids) {
    out.pids = s.pids.current;
    out.pidsLimit = s.pids.max;
  }
  return out;
}

/** A {@link CgroupError} as the package's one error class, keeping code, errno, path and hint. */
export function asContainerError(e: unknown, message: string): unknown {
  if (!(e instanceof CgroupError)) return e;
  return new ContainerError(`${message}: ${e.message}`, {
    code: e.code,
    ...(e.errno !== undefined ? { errno: e.errno } : {}),
    ...(e.path !== undefined ? { path: e.path } : {}),
    ...(e.field !== undefined ? { field: e.field } : {}),
    hint: e.hint ?? "check the limit is valid for this kernel and below the parent group's",
    cause: e,
  });
}
