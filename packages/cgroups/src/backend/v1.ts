import { join } from 'node:path';
import { KcErrorCode } from '@kc/native';
import { CgroupError } from '../errors.js';
import { childNames, fileNames, makeCgroupDir, parsePids, readCgroupFileIfAny, removeCgroupDir, writeCgroupFile } from '../internal/fs.js';
import { joinPath, parentPath } from '../internal/paths.js';
import type { CgroupHierarchy } from '../layout/types.js';
import type { CgroupFiles } from '../resources/file-io.js';
import type { Resources } from '../resources/types.js';
import { resourcesToV1, v1ToResources } from '../resources/v1-files.js';
import { requireControllers } from './controller-check.js';
import { killByListing } from './kill-fallback.js';
import type { CgroupBackend, PlannedWrite } from './types.js';

/**
 * The cgroup v1 backend (Documentation/admin-guide/cgroup-v1/cgroups.rst): a
 * logical cgroup is one directory in each controller hierarchy, all with the
 * same path. Named hierarchies without controllers are managed too (they
 * exist to group processes, e.g. for a release agent), except `name=systemd`,
 * which belongs to the init system.
 */
export class V1Backend implements CgroupBackend {
  readonly kind = 'v1' as const;
  readonly controllers: readonly string[];
  private readonly mounts: { dir: string; controllers: string[] }[];

  constructor(hierarchies: readonly CgroupHierarchy[], fsRoot: string) {
    this.mounts = hierarchies
      .filter((h) => h.controllers.length > 0 || (h.name !== undefined && h.name !== 'systemd'))
      .map((h) => ({
        dir: fsRoot + h.mountPoint,
        controllers: h.controllers.length ? h.controllers : [`name=${h.name}`],
      }));
    this.controllers = this.mounts.flatMap((m) => m.controllers).filter((c) => !c.startsWith('name='));
  }

  private at(mountDir: string, path: string): string {
    return path === '/' ? mountDir : mountDir + path;
  }
  controllerDir(path: string, controller: string): string | undefined {
    const m = this.mounts.find((x) => x.controllers.includes(controller));
    return m ? this.at(m.dir, path) : undefined;
  }
  dirs(path: string): string[] {
    return this.mounts.map((m) => this.at(m.dir, path));
  }
  exists(path: string): boolean {
    return this.dirs(path).some((d) => readCgroupFileIfAny(join(d, 'cgroup.procs')) !== undefined);
  }
  mkdir(path: string): string[] {
    const created: string[] = [];
    try {
      for (const m of this.mounts) {
        const dir = this.at(m.dir, path);
        if (!makeCgroupDir(dir)) continue;
        created.push(dir);
        // A new v1 cpuset starts with empty cpus/mems and refuses tasks until
        // they are set (cpusets.rst 1.9): inherit the parent's, like runc/crun.
        // (With cgroup.clone_children they are already copied; rewriting is harmless.)
        if (m.controllers.includes('cpuset')) {
          const parent = this.at(m.dir, parentPath(path));
          for (const f of ['cpuset.cpus', 'cpuset.mems']) {
            const inherited = (readCgroupFileIfAny(join(parent, f)) ?? '').trim();
            if (inherited) writeCgroupFile(join(dir, f), inherited);
          }
        }
      }
    } catch (e) {
      // The caller only learns of what is returned: remove what this call made before failing.
      for (const d of created.reverse()) removeCgroupDir(d);
      throw e;
    }
    return created;
  }
  rmdir(path: string): void {
    for (const d of this.dirs(path)) removeCgroupDir(d);
  }
  enabled(path: string): string[] {
    return this.mounts
      .filter((m) => readCgroupFileIfAny(join(this.at(m.dir, path), 'cgroup.procs')) !== undefined)
      .flatMap((m) => m.controllers)
      .filter((c) => !c.startsWith('name='));
  }
  children(path: string): string[] {
    return [...new Set(this.dirs(path).flatMap((d) => childNames(d)))].sort();
  }
  files(path: string): CgroupFiles {
    return {
      read: (c, f) => {
        const d = c === '' ? this.dirs(path)[0] : this.controllerDir(path, c);
        return d === undefined ? undefined : readCgroupFileIfAny(join(d, f));
      },
      list: (c) => {
        const d = this.controllerDir(path, c);
        return d === undefined ? [] : fileNames(d);
      },
    };
  }
  plan(path: string, r: Resources): PlannedWrite[] {
    const writes = resourcesToV1(r, this.files(path));
    requireControllers(writes, this.controllers, 'cgroup v1');
    return writes.map((w) => ({
      ...w,
      path: join(this.controllerDir(path, w.controller) as string, w.file),
    }));
  }
  prepare(): boolean {
    return false; // v1 controllers are always on
  }
  readResources(path: string): Resources {
    return v1ToResources(this.files(path), this.controllers);
  }
  procs(path: string): number[] {
    return [...new Set(this.dirs(path).flatMap((d) => parsePids(readCgroupFileIfAny(join(d, 'cgroup.procs')))))].sort((a, b) => a - b);
  }
  threads(path: string): number[] {
    return [...new Set(this.dirs(path).flatMap((d) => parsePids(readCgroupFileIfAny(join(d, 'tasks')))))].sort((a, b) => a - b);
  }
  addProcess(path: string, pid: number): void {
    for (const d of this.dirs(path)) writeCgroupFile(join(d, 'cgroup.procs'), String(pid));
  }
  addThread(path: string, tid: number): void {
    for (const d of this.dirs(path)) writeCgroupFile(join(d, 'tasks'), String(tid));
  }
  private freezerDir(path: string): string {
    const d = this.controllerDir(path, 'freezer');
    if (!d)
      throw new CgroupError('the freezer controller is not mounted', {
        code: KcErrorCode.Unsupported,
        hint: 'mount -t cgroup -o freezer cgroup /sys/fs/cgroup/freezer',
      });
    return d;
  }
  /** Whether the group has a directory in a mounted v1 freezer hierarchy. */
  hasFreezer(path: string): boolean {
    const d = this.controllerDir(path, 'freezer');
    return d !== undefined && readCgroupFileIfAny(join(d, 'freezer.state')) !== undefined;
  }
  setFrozen(path: string, frozen: boolean): void {
    // freezer-subsystem.rst: writing FROZEN starts freezing; reading reports FREEZING until done.
    writeCgroupFile(join(this.freezerDir(path), 'freezer.state'), frozen ? 'FROZEN' : 'THAWED');
  }
  isFrozen(path: string): boolean {
    return (readCgroupFileIfAny(join(this.freezerDir(path), 'freezer.state')) ?? '').trim() === 'FROZEN';
  }
  allPids(path: string): number[] {
    const out = this.procs(path);
    for (const c of this.children(path)) out.push(...this.allPids(joinPath(path, c)));
    return out;
  }
  populated(path: string): boolean {
    return this.allPids(path).length > 0;
  }
  async killAll(path: string): Promise<void> {
    // Freeze only where the group has a freezer directory: a hierarchy may have lost it (removed by hand), and the kill must still go on.
    const freeze = this.hasFreezer(path) ? (f: boolean) => this.setFrozen(path, f) : undefined;
    if (!(await killByListing(() => this.allPids(path), freeze))) {
      throw new CgroupError('processes survived kill', {
        code: 'ETIMEDOUT',
        path: this.dirs(path)[0],
      });
    }
  }
  placement(path: string): { cloneDir?: string; procsFiles: string[] } {
    return { procsFiles: this.dirs(path).map((d) => join(d, 'cgroup.procs')) };
  }
  coreDir(): string | undefined {
    return undefined;
  }
  versionOf(controller: string): 1 | 2 | undefined {
    return this.controllers.includes(controller) ? 1 : undefined;
  }
}
