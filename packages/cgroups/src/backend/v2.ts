import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KcErrorCode } from '@kc/native';
import { CgroupError } from '../errors.js';
import { childNames, fileNames, makeCgroupDir, parsePids, readCgroupFileIfAny, removeCgroupDir, writeCgroupFile } from '../internal/fs.js';
import { parentPath } from '../internal/paths.js';
import type { CgroupHierarchy } from '../layout/types.js';
import type { CgroupFiles } from '../resources/file-io.js';
import { attachDeviceRules } from '../devices/attach.js';
import { checkDeviceNumbers } from '../devices/program.js';
import type { DeviceRule, Resources } from '../resources/types.js';
import { resourcesToV2, v2ToResources } from '../resources/v2-files.js';
import { requireControllers } from './controller-check.js';
import { killByListing, waitUntil } from './kill-fallback.js';
import type { CgroupBackend, PlannedWrite } from './types.js';

/**
 * The cgroup v2 backend (Documentation/admin-guide/cgroup-v2.rst): one
 * directory per cgroup; controllers are enabled in the parents'
 * `cgroup.subtree_control` for the user. With `enableAll`, a new group gets
 * every available controller (unified hosts); without, only those a resource
 * needs (hybrid hosts, where v2 mostly serves kill, freeze, PSI and events).
 */
export class V2Backend implements CgroupBackend {
  readonly kind = 'v2' as const;
  readonly controllers: readonly string[];
  private readonly mountDir: string;

  constructor(
    hierarchy: CgroupHierarchy,
    fsRoot: string,
    private readonly enableAll: boolean,
  ) {
    this.mountDir = fsRoot + hierarchy.mountPoint;
    this.controllers = hierarchy.controllers;
  }

  dir(path: string): string {
    return path === '/' ? this.mountDir : this.mountDir + path;
  }
  dirs(path: string): string[] {
    return [this.dir(path)];
  }
  exists(path: string): boolean {
    return readCgroupFileIfAny(join(this.dir(path), 'cgroup.controllers')) !== undefined;
  }

  /** Enables `wanted` controllers down to `path`'s children (writes each ancestor's subtree_control); true when it wrote. */
  enable(path: string, wanted: readonly string[]): boolean {
    if (wanted.length === 0) return false;
    let changed = false;
    const chain: string[] = [];
    for (let p = path; ; p = parentPath(p)) {
      chain.unshift(p);
      if (p === '/') break;
    }
    for (const p of chain) {
      const dir = this.dir(p);
      const available = (readCgroupFileIfAny(join(dir, 'cgroup.controllers')) ?? '').split(/\s+/);
      const enabled = (readCgroupFileIfAny(join(dir, 'cgroup.subtree_control')) ?? '').split(/\s+/);
      const missing = wanted.filter((c) => available.includes(c) && !enabled.includes(c));
      if (missing.length) {
        writeCgroupFile(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
        changed = true;
      }
    }
    return changed;
  }

  mkdir(path: string, wanted: readonly string[]): string[] {
    if (this.enableAll)
      this.enable(
        parentPath(path),
        wanted.filter((c) => this.controllers.includes(c)),
      );
    return makeCgroupDir(this.dir(path)) ? [this.dir(path)] : [];
  }
  rmdir(path: string): void {
    removeCgroupDir(this.dir(path));
  }
  enabled(path: string): string[] {
    return (readCgroupFileIfAny(join(this.dir(path), 'cgroup.controllers')) ?? '').split(/\s+/).filter(Boolean);
  }
  children(path: string): string[] {
    return childNames(this.dir(path));
  }
  files(path: string): CgroupFiles {
    const dir = this.dir(path);
    return {
      read: (_c, f) => readCgroupFileIfAny(join(dir, f)),
      list: () => fileNames(dir),
    };
  }
  plan(path: string, r: Resources): PlannedWrite[] {
    const { devices, ...files } = r;
    const writes = resourcesToV2(files, this.files(path));
    requireControllers(writes, this.controllers, 'cgroup v2');
    const planned: PlannedWrite[] = writes.map((w) => ({ ...w, path: join(this.dir(path), w.file) }));
    if (devices !== undefined) planned.push(this.devicePlan(path, devices));
    return planned;
  }
  /**
   * v2 controls devices with an eBPF program attached to the group (no
   * controller to enable, no file): the rules are checked now, before any
   * write, and the program attached in their place.
   */
  private devicePlan(path: string, devices: readonly DeviceRule[]): PlannedWrite {
    checkDeviceNumbers(devices);
    const dir = this.dir(path);
    return { controller: 'devices', file: 'BPF_CGROUP_DEVICE', value: `${devices.length} rules`, path: dir, apply: () => attachDeviceRules(dir, devices) };
  }
  prepare(path: string, r: Resources): boolean {
    const { devices: _devices, ...files } = r;
    const needed = [...new Set(resourcesToV2(files, this.files(path)).map((w) => w.controller))];
    return path !== '/' && this.enable(parentPath(path), needed);
  }
  readResources(path: string): Resources {
    const enabled = (readCgroupFileIfAny(join(this.dir(path), 'cgroup.controllers')) ?? '').split(/\s+/).filter(Boolean);
    return v2ToResources(this.files(path), enabled);
  }
  procs(path: string): number[] {
    return parsePids(readCgroupFileIfAny(join(this.dir(path), 'cgroup.procs')));
  }
  threads(path: string): number[] {
    return parsePids(readCgroupFileIfAny(join(this.dir(path), 'cgroup.threads')));
  }
  addProcess(path: string, pid: number): void {
    writeCgroupFile(join(this.dir(path), 'cgroup.procs'), String(pid));
  }
  addThread(path: string, tid: number): void {
    writeCgroupFile(join(this.dir(path), 'cgroup.threads'), String(tid));
  }
  hasCoreFile(path: string, file: string): boolean {
    // Whether the kernel offers the file, not whether it reads: cgroup.kill is write-only (a read is EINVAL).
    return existsSync(join(this.dir(path), file));
  }
  setFrozen(path: string, frozen: boolean): void {
    if (!this.hasCoreFile(path, 'cgroup.freeze')) {
      throw new CgroupError('cgroup.freeze is missing (Linux 5.2+ needed)', {
        code: KcErrorCode.Unsupported,
        path: this.dir(path),
      });
    }
    writeCgroupFile(join(this.dir(path), 'cgroup.freeze'), frozen ? '1' : '0');
  }
  private event(path: string, key: string): string | undefined {
    const text = readCgroupFileIfAny(join(this.dir(path), 'cgroup.events')) ?? '';
    return new RegExp(`^${key} (\\S+)$`, 'm').exec(text)?.[1];
  }
  isFrozen(path: string): boolean {
    return this.event(path, 'frozen') === '1';
  }
  populated(path: string): boolean {
    return this.event(path, 'populated') === '1';
  }
  private allPids(path: string): number[] {
    const out = this.procs(path);
    for (const c of this.children(path)) out.push(...this.allPids(path === '/' ? `/${c}` : `${path}/${c}`));
    return out;
  }
  /** Writes `cgroup.kill` (SIGKILL to the whole subtree, Linux 5.14+) without waiting; false when the kernel has no such file. */
  sendKill(path: string): boolean {
    if (!this.hasCoreFile(path, 'cgroup.kill')) return false;
    writeCgroupFile(join(this.dir(path), 'cgroup.kill'), '1');
    return true;
  }
  async killAll(path: string): Promise<void> {
    if (this.hasCoreFile(path, 'cgroup.kill')) {
      // cgroup.kill (Linux 5.14+) SIGKILLs the whole subtree atomically, forks included.
      writeCgroupFile(join(this.dir(path), 'cgroup.kill'), '1');
      if (await waitUntil(() => !this.populated(path))) return;
    } else {
      const canFreeze = this.hasCoreFile(path, 'cgroup.freeze');
      if (await killByListing(() => this.allPids(path), canFreeze ? (f) => this.setFrozen(path, f) : undefined)) return;
    }
    throw new CgroupError('processes survived kill', {
      code: 'ETIMEDOUT',
      path: this.dir(path),
    });
  }
  placement(path: string): { cloneDir?: string; procsFiles: string[] } {
    return { cloneDir: this.dir(path), procsFiles: [] };
  }
  coreDir(path: string): string | undefined {
    return this.dir(path);
  }
  controllerDir(path: string, controller: string): string | undefined {
    return this.controllers.includes(controller) ? this.dir(path) : undefined;
  }
  versionOf(controller: string): 1 | 2 | undefined {
    return this.controllers.includes(controller) ? 2 : undefined;
  }
}
