import type { CgroupPlacement } from '@kc/native';
import { Cgroup, type CgroupOptions } from './cgroup.js';
import type { CgroupLayout } from './layout/types.js';
import type { Resources } from './resources/types.js';
import { SystemdCgroup } from './systemd/scope.js';
import { isSystemdCgroupPath } from './systemd/unit-name.js';

/**
 * One cgroup behind either driver (DESIGN "Drivers over backends"; youki's
 * managers): `cgroupfs` writes the cgroup filesystem itself, `systemd` asks
 * systemd for a transient scope. File-level work (stats, pressure, events,
 * freeze, kill) goes through {@link CgroupDriver.cgroup} with either.
 */
export interface CgroupDriver extends AsyncDisposable {
  /** Which driver manages the group. */
  readonly driver: 'cgroupfs' | 'systemd';
  /** The cgroup path below the hierarchies' mounts, e.g. `/kc/demo` or `/system.slice/kc-demo.scope`. */
  readonly path: string;
  /** The group's files. */
  readonly cgroup: Cgroup;
  /** Changes limits. */
  set(resources: Resources): Promise<void>;
  /** Moves a process in. */
  addProcess(pid: number): Promise<void>;
  /** The `cgroup` slot of a `@kc/native` spawn spec. */
  spawnPlacement(): CgroupPlacement;
  /** Kills what is inside and removes the group (cgroupfs: the directories it made; systemd: stops the scope). */
  delete(): Promise<void>;
}

/** Options of {@link createCgroupDriver}. */
export interface CgroupDriverOptions {
  /** `cgroupfs`, `systemd`, or `auto` (default): systemd for a `slice:prefix:name` path, cgroupfs otherwise. */
  driver?: 'cgroupfs' | 'systemd' | 'auto';
  /** The first process (systemd: the scope's `PIDs=`; it needs one). cgroupfs moves it in after creating. */
  pid?: number;
  /** Limits to apply at creation. */
  resources?: Resources;
  /** The cgroup layout (default: the running system's). */
  layout?: CgroupLayout;
  /** systemd: how long to wait for each job, in ms (default 30000). */
  timeoutMs?: number;
}

class CgroupfsDriver implements CgroupDriver {
  readonly driver = 'cgroupfs' as const;
  constructor(readonly cgroup: Cgroup) {}
  get path(): string {
    return this.cgroup.path;
  }
  async set(resources: Resources): Promise<void> {
    this.cgroup.set(resources);
  }
  async addProcess(pid: number): Promise<void> {
    this.cgroup.addProcess(pid);
  }
  spawnPlacement(): CgroupPlacement {
    return this.cgroup.spawnPlacement();
  }
  async delete(): Promise<void> {
    await this.cgroup.delete({ kill: true, directories: this.cgroup.createdDirectories });
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.delete();
  }
}

/**
 * Creates a cgroup with the driver asked for, or the one the path's form
 * names (runc: `slice:prefix:name` means systemd).
 *
 * @throws {@link CgroupError} / {@link SystemdError} as {@link Cgroup.create} and {@link SystemdCgroup.create}.
 * @example
 * ```ts
 * await using cg = await createCgroupDriver('system.slice:kc:demo', { pid: child.pid, resources: { pids: { max: 64 } } });
 * ```
 */
export async function createCgroupDriver(path: string, options: CgroupDriverOptions = {}): Promise<CgroupDriver> {
  const driver = options.driver ?? 'auto';
  if (driver === 'systemd' || (driver === 'auto' && isSystemdCgroupPath(path))) {
    return SystemdCgroup.create(path, {
      ...(options.pid !== undefined ? { pid: options.pid } : {}),
      ...(options.resources ? { resources: options.resources } : {}),
      ...(options.layout ? { layout: options.layout } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
  const cgOptions: CgroupOptions = { ...(options.resources ? { resources: options.resources } : {}), ...(options.layout ? { layout: options.layout } : {}) };
  const cg = Cgroup.create(path, cgOptions);
  try {
    if (options.pid !== undefined) cg.addProcess(options.pid);
  } catch (e) {
    await cg.delete({ kill: false, directories: cg.createdDirectories });
    throw e;
  }
  return new CgroupfsDriver(cg);
}
