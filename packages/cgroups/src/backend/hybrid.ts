import type { CgroupFiles } from '../resources/file-io.js';
import type { Resources } from '../resources/types.js';
import { removeCgroupDir } from '../internal/fs.js';
import { waitUntil } from './kill-fallback.js';
import type { CgroupBackend, PlannedWrite } from './types.js';
import type { V1Backend } from './v1.js';
import type { V2Backend } from './v2.js';

/** The controller a {@link Resources} key needs on each version. */
const KEY_CONTROLLER: Record<string, { v1: string; v2: string }> = {
  memory: { v1: 'memory', v2: 'memory' },
  cpu: { v1: 'cpu', v2: 'cpu' },
  cpuset: { v1: 'cpuset', v2: 'cpuset' },
  pids: { v1: 'pids', v2: 'pids' },
  io: { v1: 'blkio', v2: 'io' },
  hugetlb: { v1: 'hugetlb', v2: 'hugetlb' },
  devices: { v1: 'devices', v2: 'devices' },
  rdma: { v1: 'rdma', v2: 'rdma' },
  misc: { v1: 'misc', v2: 'misc' },
};

/**
 * Hybrid mode as a combination (cgroups(7): each controller is bound to one
 * hierarchy): resources go to whichever version holds their controller;
 * processes join both, so v2's core features (`cgroup.kill`, `cgroup.freeze`,
 * PSI, `cgroup.events`, CLONE_INTO_CGROUP) cover them while v1 limits apply.
 */
export class HybridBackend implements CgroupBackend {
  readonly kind = 'hybrid' as const;
  readonly controllers: readonly string[];

  constructor(
    private readonly v1: V1Backend,
    private readonly v2: V2Backend,
  ) {
    this.controllers = [...v1.controllers, ...v2.controllers.filter((c) => !v1.controllers.includes(c))];
  }

  /** Splits resources by the version holding each key's controller (v1 wins, as it owns its controllers). */
  split(r: Resources): { r1: Resources; r2: Resources } {
    const r1: Record<string, unknown> = {};
    const r2: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      const c = KEY_CONTROLLER[k];
      // Devices have no v2 controller to list: without a v1 devices hierarchy, v2 applies them as an eBPF program.
      const onV2 = k === 'devices' ? !this.v1.controllers.includes('devices') : c && this.v2.controllers.includes(c.v2) && !this.v1.controllers.includes(c.v1);
      if (onV2) r2[k] = v;
      else r1[k] = v;
    }
    return { r1: r1 as Resources, r2: r2 as Resources };
  }

  dirs(path: string): string[] {
    return [...this.v1.dirs(path), ...this.v2.dirs(path)];
  }
  exists(path: string): boolean {
    return this.v1.exists(path) || this.v2.exists(path);
  }
  mkdir(path: string, wanted: readonly string[]): string[] {
    const created = this.v1.mkdir(path);
    try {
      return [...created, ...this.v2.mkdir(path, wanted)];
    } catch (e) {
      // Undo the v1 half so a failure leaves nothing behind (only what was made here: a v1 group that existed stays).
      for (const d of created) removeCgroupDir(d);
      throw e;
    }
  }
  rmdir(path: string): void {
    this.v1.rmdir(path);
    this.v2.rmdir(path);
  }
  enabled(path: string): string[] {
    const v1 = this.v1.enabled(path);
    return [...v1, ...this.v2.enabled(path).filter((c) => !v1.includes(c))];
  }
  children(path: string): string[] {
    return [...new Set([...this.v1.children(path), ...this.v2.children(path)])].sort();
  }
  files(path: string): CgroupFiles {
    const f1 = this.v1.files(path);
    const f2 = this.v2.files(path);
    const pick = (c: string) => (c === '' || !this.v1.controllers.includes(c) ? f2 : f1);
    return { read: (c, f) => pick(c).read(c, f), list: (c) => pick(c).list(c) };
  }
  plan(path: string, r: Resources): PlannedWrite[] {
    const { r1, r2 } = this.split(r);
    return [...this.v1.plan(path, r1), ...this.v2.plan(path, r2)];
  }
  prepare(path: string, r: Resources): boolean {
    const { r2 } = this.split(r);
    return Object.keys(r2).length > 0 && this.v2.prepare(path, r2);
  }
  readResources(path: string): Resources {
    const fromV2 = this.v2.readResources(path);
    const out: Resources = { ...this.v1.readResources(path) };
    if (fromV2.hugetlb && !this.v1.controllers.includes('hugetlb')) out.hugetlb = fromV2.hugetlb;
    return out;
  }
  procs(path: string): number[] {
    return [...new Set([...this.v1.procs(path), ...this.v2.procs(path)])].sort((a, b) => a - b);
  }
  threads(path: string): number[] {
    return this.v1.threads(path);
  }
  addProcess(path: string, pid: number): void {
    this.v1.addProcess(path, pid);
    this.v2.addProcess(path, pid);
  }
  addThread(path: string, tid: number): void {
    this.v1.addThread(path, tid);
    // A threaded v2 group takes single threads too (cgroup-v2.rst "Threads").
    if ((this.v2.files(path).read('', 'cgroup.type') ?? '').trim() === 'threaded') this.v2.addThread(path, tid);
  }
  /**
   * The v1 freezer when the group has one (what runc's fs driver uses on a
   * hybrid host, and the `freezer.state` that tools and CRIU read: freezing
   * through v2 would leave it saying THAWED); else v2's `cgroup.freeze`.
   */
  private useV2Freezer(path: string): boolean {
    if (this.v1.hasFreezer(path)) return false;
    return this.v2.hasCoreFile(path, 'cgroup.freeze');
  }
  setFrozen(path: string, frozen: boolean): void {
    if (this.useV2Freezer(path)) this.v2.setFrozen(path, frozen);
    else this.v1.setFrozen(path, frozen);
  }
  isFrozen(path: string): boolean {
    return this.useV2Freezer(path) ? this.v2.isFrozen(path) : this.v1.isFrozen(path);
  }
  populated(path: string): boolean {
    return this.v1.populated(path) || this.v2.populated(path);
  }
  async killAll(path: string): Promise<void> {
    // A group paused through the v1 freezer keeps SIGKILL pending until it is thawed: queue the kill, then thaw,
    // and the members die on waking without running a user instruction (runc signals a frozen group the same way).
    if (this.v1.hasFreezer(path) && this.v1.isFrozen(path)) {
      if (!this.v2.sendKill(path)) {
        for (const pid of this.procs(path)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
      }
      this.v1.setFrozen(path, false);
    }
    // cgroup.kill covers everything placed through kc (members join both);
    // the v1 pass catches processes moved in through v1 files only.
    await this.v2.killAll(path);
    await this.v1.killAll(path);
    await waitUntil(() => !this.populated(path));
  }
  placement(path: string): { cloneDir?: string; procsFiles: string[] } {
    return {
      cloneDir: this.v2.dir(path),
      procsFiles: this.v1.placement(path).procsFiles,
    };
  }
  coreDir(path: string): string | undefined {
    return this.v2.dir(path);
  }
  controllerDir(path: string, controller: string): string | undefined {
    return this.v1.controllerDir(path, controller) ?? this.v2.controllerDir(path, controller);
  }
  versionOf(controller: string): 1 | 2 | undefined {
    return this.v1.versionOf(controller) ?? this.v2.versionOf(controller);
  }
}
