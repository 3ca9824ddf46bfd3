import { join } from 'node:path';
import { type CgroupPlacement, KcErrorCode } from '@kc/native';
import { freezeAndWait } from './backend/freeze.js';
import { waitUntil } from './backend/kill-fallback.js';
import { backendFor } from './backend/select.js';
import type { CgroupBackend } from './backend/types.js';
import { CgroupError } from './errors.js';
import { openEvents } from './events/open.js';
import { eventSources } from './events/sources.js';
import type { CgroupEvent, EventOptions } from './events/types.js';
import { readCgroupFileIfAny, writeCgroupFile } from './internal/fs.js';
import { machineFacts } from './internal/machine.js';
import { joinPath, normaliseCgroupPath, parentPath, validateCgroupName } from './internal/paths.js';
import { closeFd, createTree, openDirectoryFd, removeDirectoryTree, removeTree } from './internal/tree.js';
import { systemLayout } from './layout/detect.js';
import type { CgroupLayout, CgroupMode } from './layout/types.js';
import { type Pressure, type PressureResource, readPressureFile } from './pressure/parse.js';
import { type PressureEvent, type PressureEventOptions, type PressureTrigger, watchPressureFile } from './pressure/triggers.js';
import type { Resources } from './resources/types.js';
import { validateResources } from './resources/validate.js';
import { readStats } from './stats/read.js';
import type { CgroupStats } from './stats/types.js';

/** Options of {@link Cgroup.create} and {@link Cgroup.open}. */
export interface CgroupOptions {
  /** Limits to apply right after creation. */
  resources?: Resources;
  /** The layout to work in (default: the running system's, detected once). */
  layout?: CgroupLayout;
}

/** Options of {@link Cgroup.createChild}: a child works in its parent's layout. */
export interface CgroupChildOptions {
  /** Limits to apply right after creation. */
  resources?: Resources;
}

/** Options of {@link Cgroup.delete}. */
export interface CgroupDeleteOptions {
  /** Kill every process in the subtree first and wait until it is empty (default true). */
  kill?: boolean;
  /**
   * Remove only these of the group's directories (with what is below them),
   * e.g. the {@link Cgroup.createdDirectories} a caller saved at create, so a
   * hierarchy where the group existed before is left in place. Default: all.
   * `kill` still acts on the whole group.
   */
  directories?: readonly string[];
}

/**
 * Options of {@link Cgroup.delete}.
 * @deprecated use {@link CgroupDeleteOptions}: `DeleteOptions` of `@kc/container` deletes a container.
 */
export type DeleteOptions = CgroupDeleteOptions;

/**
 * A cgroup: one logical group that spans the v1 controller hierarchies, the
 * v2 hierarchy, or both (hybrid), with the same code on each. Quick
 * operations are synchronous file writes; waiting ones (freeze, kill,
 * delete) return promises. Releasable with `await using`.
 *
 * Privileges: root, or ownership of a delegated subtree (see {@link checkDelegation}).
 * @example
 * ```ts
 * await using cg = Cgroup.create('kc-demo/job', { resources: { memory: { max: 64 << 20 }, pids: { max: 32 } } });
 * cg.addProcess(child.pid);
 * console.log(cg.stats().memory?.usage);
 * ```
 */
export class Cgroup {
  private cloneFd: number | undefined;

  private constructor(
    /** The cgroup's path below each hierarchy's mount point, e.g. `/kc-demo/job`. */
    readonly path: string,
    /** The layout it lives in. */
    readonly layout: CgroupLayout,
    private readonly backend: CgroupBackend,
    private readonly owned: boolean,
    /**
     * The group's directories {@link Cgroup.create} made (one per hierarchy
     * where the group did not exist yet); empty for {@link Cgroup.open}. A
     * caller that must not remove what it did not make (a runtime given an
     * existing path) saves these and passes them to
     * {@link Cgroup.delete}'s `directories`.
     */
    readonly createdDirectories: readonly string[] = [],
  ) {}

  /**
   * Creates a cgroup and any missing parents, then applies `resources`.
   * Everything is validated before the first mkdir; if a later step fails,
   * the directories this call created are removed again (and only those: a
   * group that existed in some hierarchy is reused there, and left there).
   * {@link Cgroup.createdDirectories} tells which directories were made.
   *
   * Privileges: root, or a delegated subtree the caller owns (see
   * `checkDelegation`); otherwise the mkdir fails with `EACCES` and the
   * error says "needs root (or a delegated cgroup)".
   *
   * @throws {@link CgroupError} `INVALID_ARGUMENT` (bad name or value), `UNSUPPORTED` (knob or controller missing on this version), or the errno of a failed write.
   */
  static create(path: string, options: CgroupOptions = {}): Cgroup {
    const p = normaliseCgroupPath(path);
    if (p === '/')
      throw new CgroupError('cannot create the root cgroup', {
        code: KcErrorCode.InvalidArgument,
        field: 'path',
      });
    const layout = options.layout ?? systemLayout();
    const backend = backendFor(layout);
    const resources = options.resources ?? {};
    validateResources(resources, machineFacts());
    backend.plan(parentPath(p), resources); // version/controller support, before any write
    return createTree(backend, p, (created) => {
      const cg = new Cgroup(p, layout, backend, true, created);
      cg.apply(resources);
      return cg;
    });
  }

  /**
   * Opens an existing cgroup without taking ownership (disposing it only
   * releases fds). A group another tool made in only some v1 hierarchies
   * opens too; writes to a hierarchy that lacks it fail with ENOENT.
   * @throws {@link CgroupError} `NOT_FOUND` when no hierarchy has it.
   */
  static open(path: string, options: Omit<CgroupOptions, 'resources'> = {}): Cgroup {
    const p = normaliseCgroupPath(path);
    const layout = options.layout ?? systemLayout();
    const backend = backendFor(layout);
    if (!backend.exists(p)) {
      throw new CgroupError(`cgroup ${p} does not exist`, {
        code: KcErrorCode.NotFound,
        path: p,
      });
    }
    return new Cgroup(p, layout, backend, false);
  }

  /** legacy, hybrid or unified. */
  get mode(): CgroupMode {
    return this.layout.mode;
  }
  /** The directories making up this cgroup, one per hierarchy. */
  get directories(): string[] {
    return this.backend.dirs(this.path);
  }
  /** The v2 directory of this group (unified or hybrid), where core files such as PSI live. */
  get unifiedDirectory(): string | undefined {
    return this.backend.coreDir(this.path);
  }
  /** Controllers kc can manage here. */
  get controllers(): readonly string[] {
    return this.backend.controllers;
  }
  /** Controllers in effect for this group (v2: enabled by the parent's `cgroup.subtree_control`). */
  enabledControllers(): string[] {
    return this.backend.enabled(this.path);
  }
  /** The cgroup version a controller lives on in this layout (undefined when absent). */
  versionOf(controller: string): 1 | 2 | undefined {
    return this.backend.versionOf(controller);
  }

  /**
   * Creates (or reuses) a child group owned by the returned handle, with the
   * same options shape as {@link Cgroup.create}: `createChild('job', { resources })`.
   * @throws {@link CgroupError} for a name with `/` or `..`.
   */
  createChild(name: string, options?: CgroupChildOptions): Cgroup;
  /** @deprecated pass `{ resources }`, as {@link Cgroup.create} takes it. */
  createChild(name: string, resources?: Resources): Cgroup;
  createChild(name: string, options?: CgroupChildOptions | Resources): Cgroup {
    validateCgroupName(name);
    // The old positional Resources has no `resources` key; the options object does (or is empty).
    const resources = options && 'resources' in options ? options.resources : (options as Resources | undefined);
    return Cgroup.create(joinPath(this.path, name), {
      layout: this.layout,
      ...(resources ? { resources } : {}),
    });
  }
  /** The child groups. */
  children(): Cgroup[] {
    return this.backend.children(this.path).map((n) => new Cgroup(joinPath(this.path, n), this.layout, this.backend, false));
  }
  /** This group and every descendant, parents before children. */
  *walk(): Generator<Cgroup> {
    yield this;
    for (const c of this.children()) yield* c.walk();
  }

  /**
   * Applies limits: validated, translated for each controller's version and
   * checked for support before the first write.
   * @throws {@link CgroupError}
   */
  set(resources: Resources): void {
    validateResources(resources, machineFacts());
    this.apply(resources);
  }
  private apply(resources: Resources): void {
    let writes = this.backend.plan(this.path, resources);
    if (writes.length === 0) return;
    // Enabling a v2 controller creates its files: plan again against them.
    if (this.backend.prepare(this.path, resources)) writes = this.backend.plan(this.path, resources);
    for (const w of writes) {
      if (w.apply) w.apply();
      else writeCgroupFile(w.path, w.value);
    }
  }
  /** Reads the configured limits back (native fields of each controller's version). */
  resources(): Resources {
    return this.backend.readResources(this.path);
  }
  /** Typed statistics read from the kernel's files. */
  stats(): CgroupStats {
    return readStats(this.backend, this.path);
  }

  /** Member processes. */
  procs(): number[] {
    return this.backend.procs(this.path);
  }
  /** Member threads. */
  threads(): number[] {
    return this.backend.threads(this.path);
  }
  /** Moves a process and its threads in. @throws {@link CgroupError} (ESRCH, EBUSY...) */
  addProcess(pid: number): void {
    this.backend.addProcess(this.path, pid);
  }
  /** Moves one thread in (v2 needs a threaded subtree). */
  addThread(tid: number): void {
    this.backend.addThread(this.path, tid);
  }
  /** True when any process is in the group or below. */
  get populated(): boolean {
    return this.backend.populated(this.path);
  }

  /** Freezes every process below and resolves once the kernel reports the group frozen. */
  async freeze(timeoutMs = 10_000): Promise<void> {
    await freezeAndWait(this.backend, this.path, timeoutMs);
  }
  /** Thaws the group and resolves once it is no longer frozen. */
  async thaw(timeoutMs = 10_000): Promise<void> {
    this.backend.setFrozen(this.path, false);
    await waitUntil(() => !this.backend.isFrozen(this.path), timeoutMs);
  }
  /** True when the group is fully frozen. */
  get frozen(): boolean {
    return this.backend.isFrozen(this.path);
  }
  /** SIGKILLs everything below (v2 `cgroup.kill`, else freeze + kill + thaw) and resolves when empty. */
  kill(): Promise<void> {
    return this.backend.killAll(this.path);
  }

  /**
   * The `cgroup` slot of a `@kc/native` spawn spec: on v2 an fd of the
   * directory for CLONE_INTO_CGROUP (kept open by this handle until it is
   * deleted or disposed), on v1 the `cgroup.procs` files the parent writes the
   * child's pid to before it runs; hybrid gives both.
   */
  spawnPlacement(): CgroupPlacement {
    const { cloneDir, procsFiles } = this.backend.placement(this.path);
    const out: CgroupPlacement = {};
    if (procsFiles.length) out.procsFiles = procsFiles;
    if (cloneDir !== undefined) {
      this.cloneFd ??= openDirectoryFd(cloneDir);
      out.fd = this.cloneFd;
    }
    return out;
  }

  /** Current pressure (PSI) of `resource` in this group. @throws {@link CgroupError} `UNSUPPORTED` without v2 or PSI. */
  pressure(resource: PressureResource): Pressure {
    return readPressureFile(join(this.pressureDir(), `${resource}.pressure`));
  }
  /**
   * Registers a PSI trigger and yields each time it fires (see {@link PressureTrigger}).
   * Ends on `break`; `options.signal` ends it with an `AbortError`, as {@link Cgroup.events}.
   * @throws {@link CgroupError} when the kernel rejects the trigger; `AbortError` when `signal` is already aborted.
   * @example
   * ```ts
   * for await (const e of cg.pressureEvents('memory', { kind: 'some', stallUs: 150_000, windowUs: 2_000_000 }, { signal })) console.log(e.at);
   * ```
   */
  pressureEvents(resource: PressureResource, trigger: PressureTrigger, options?: PressureEventOptions): AsyncIterableIterator<PressureEvent>;
  /**
   * Registers a PSI trigger, with the AbortSignal given positionally.
   * @deprecated pass `{ signal }`: every kc call takes its AbortSignal in its options object.
   */
  pressureEvents(resource: PressureResource, trigger: PressureTrigger, signal: AbortSignal): AsyncIterableIterator<PressureEvent>;
  pressureEvents(resource: PressureResource, trigger: PressureTrigger, options?: PressureEventOptions | AbortSignal): AsyncIterableIterator<PressureEvent> {
    const signal = options instanceof AbortSignal ? options : options?.signal;
    return watchPressureFile(join(this.pressureDir(), `${resource}.pressure`), trigger, signal);
  }
  private pressureDir(): string {
    const dir = this.backend.coreDir(this.path);
    if (!dir) throw new CgroupError('pressure needs a cgroup v2 hierarchy (not mounted)', { code: KcErrorCode.Unsupported });
    return dir;
  }

  /**
   * Memory (OOM, OOM kills, limit hits) and state (populated, frozen) events
   * as an async iterator. Ends on `break`; an abort of `options.signal` makes
   * the pending (or next) `next()` reject with an `AbortError` whose `cause`
   * is the signal's reason, as Node's `events.on` does.
   * @throws {@link CgroupError} when no source is available or registration fails; `AbortError` when `signal` is already aborted.
   */
  events(options: EventOptions = {}): AsyncIterableIterator<CgroupEvent> {
    return openEvents(eventSources(this.backend, this.path, options), options.signal);
  }

  /** v1: sets `notify_on_release` in every hierarchy (the release agent runs when the group empties). */
  setNotifyOnRelease(on: boolean): void {
    if (this.layout.mode === 'unified')
      throw new CgroupError('notify_on_release is cgroup v1 only; watch events() for populated=0', { code: KcErrorCode.Unsupported });
    for (const d of this.directories)
      if (readCgroupFileIfAny(join(d, 'notify_on_release')) !== undefined) writeCgroupFile(join(d, 'notify_on_release'), on ? '1' : '0');
  }

  /**
   * Removes the group and its descendants, deepest first. With `kill`
   * (default) the processes are killed and waited for first.
   * @throws {@link CgroupError} `EBUSY` when processes remain and `kill` is false.
   */
  async delete(options: CgroupDeleteOptions = {}): Promise<void> {
    this.releaseFds();
    if (options.directories) return this.deleteOnly(options.directories, options.kill !== false);
    // Fast path: an empty leaf goes with one rmdir per hierarchy; EBUSY
    // (members or children) falls through to the full walk.
    try {
      this.backend.rmdir(this.path);
      return;
    } catch (e) {
      if ((e as CgroupError).code !== 'EBUSY') throw e;
    }
    if (options.kill !== false && this.backend.populated(this.path)) {
      if (this.layout.mode !== 'legacy' && this.backend.isFrozen(this.path)) this.backend.setFrozen(this.path, false);
      await this.kill();
    }
    removeTree(this.backend, this.path);
  }
  private async deleteOnly(directories: readonly string[], kill: boolean): Promise<void> {
    if (kill && this.backend.populated(this.path)) {
      if (this.layout.mode !== 'legacy' && this.backend.isFrozen(this.path)) this.backend.setFrozen(this.path, false);
      await this.kill();
    }
    const wanted = new Set(directories);
    for (const dir of this.directories) if (wanted.has(dir)) removeDirectoryTree(dir);
  }
  private releaseFds(): void {
    if (this.cloneFd !== undefined) closeFd(this.cloneFd);
    this.cloneFd = undefined;
  }

  /**
   * Deletes the group when this handle created it (killing members; only the
   * directories it made are removed), else only releases fds.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.owned) await this.delete({ kill: true, directories: this.createdDirectories });
    else this.releaseFds();
  }
}
