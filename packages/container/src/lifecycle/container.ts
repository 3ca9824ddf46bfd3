import { closeSync, readSync } from 'node:fs';
import { type ExitStatus, type KcProcess, PollEvent, signalNumber, watchFd } from '@kc/native';
import { ContainerError } from '../errors.js';
import type { Cgroup, Resources } from '@kc/cgroups';
import { crashPoint } from '../internal/crash-point.js';
import { asSystemdContainerError, openSystemdScope } from '../internal/systemd-scope.js';
import { asContainerError, type ContainerStats, containerStats, signalAll } from '../internal/container-cgroup.js';
import type { OciProcess, OciResources, OciState, OciStatus } from '../oci/types.js';
import type { ContainerRecord } from '../state/container-record.js';
import { sameProcessAlive, StateStore, signalRecordedProcess, unlinkQuiet } from '../state/state-store.js';
import { type ContainerDeleteOptions, deleteContainer } from './delete.js';
import { type CreateOptions, createContainer, openFifoForStart } from './create.js';
// Loaded on use: CRIU's protobuf code costs a CLI call (`kc state`) tens of milliseconds.
import type { CheckpointOptions, ContainerRestoreOptions } from './checkpoint.js';
import { type ExecOptions, execInContainer } from './exec.js';
import { type HookFailureHandler, runHooks, runHooksReporting } from './hooks.js';
import { openRecordCgroup, recordOwnsCgroup } from './record-cgroup.js';
import { containerStatus, ociState } from './status.js';
import { planUpdate, restoreWritten, rollbackResources, writeSteps } from './update.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads kc-init's byte from the exec fifo, woken by libuv as soon as it is
 * written; a slow timer checks the process still lives, so a container that
 * died while held cannot hang `start`.
 */
function readOneByte(fd: number, alive: () => boolean, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const buf = Buffer.alloc(1);
    const tryRead = (): boolean => {
      try {
        return readSync(fd, buf, 0, 1, null) === 1;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return false;
        throw e;
      }
    };
    const finish = (err?: unknown) => {
      watch.stop();
      clearInterval(timer);
      if (err) reject(err);
      else resolve();
    };
    const check = () => {
      try {
        if (tryRead()) return finish();
        if (!alive()) finish(new ContainerError(`container "${id}" exited before it was started`, { code: 'INVALID_STATE' }));
      } catch (e) {
        finish(e);
      }
    };
    const watch = watchFd(fd, PollEvent.Readable, check);
    const timer = setInterval(check, 20);
    check();
  });
}

/**
 * A container: created from an OCI bundle, persisted under a state root so
 * another process can find it by id, and managed through its lifecycle
 * (create → start → kill → delete). Dispose it (`await using`) to kill and
 * delete it.
 *
 * @example
 * ```ts
 * await using c = await Container.create({ id: 'demo', bundle: '/tmp/bundle' });
 * await c.start();
 * console.log(await c.wait()); // { exitCode: 0, ... }
 * ```
 */
export class Container implements AsyncDisposable {
  /** The state store the container lives in. */
  readonly store: StateStore;
  #record: ContainerRecord;
  #process: KcProcess | null;
  /** The container's cgroup handle, opened on first use when loaded by id; undefined once deleted. */
  #cgroup: Cgroup | undefined | null;

  private constructor(store: StateStore, record: ContainerRecord, process: KcProcess | null, cgroup: Cgroup | null = null) {
    this.store = store;
    this.#record = record;
    this.#process = process;
    this.#cgroup = cgroup;
  }

  /** The container's cgroup through @kc/cgroups (undefined when it no longer exists). */
  #group(): Cgroup | undefined {
    if (!recordOwnsCgroup(this.#record)) return undefined;
    if (this.#cgroup === null) this.#cgroup = openRecordCgroup(this.#record);
    return this.#cgroup;
  }

  #requireGroup(): Cgroup {
    const cg = this.#group();
    if (!cg) {
      const hint = this.#record.noCgroup
        ? 'it runs rootless without a cgroup (none was writable): run it as root, or in a delegated cgroup (linux.cgroupsPath)'
        : 'it was deleted, or its cgroup removed by hand';
      throw new ContainerError(`container "${this.id}" has no cgroup`, { code: 'NOT_FOUND', hint });
    }
    return cg;
  }

  /** Where a process joining the container starts: its cgroup, or none for a rootless container without one (see rootless-cgroup.ts). */
  #placementGroup(): Cgroup | undefined {
    return this.#record.noCgroup ? undefined : this.#requireGroup();
  }

  /**
   * Creates a container whose process is set up and held before exec; see {@link createContainer}.
   * @throws {ContainerError} for a bad config, a taken id or a failed setup step.
   */
  static async create(options: CreateOptions): Promise<Container> {
    const { record, process, store, cgroup } = await createContainer(options);
    return new Container(store, record, process, cgroup);
  }

  /**
   * Finds an existing container by id under a state root.
   * @throws {ContainerError} NOT_FOUND when there is no such container.
   */
  static load(id: string, root?: string): Container {
    const store = new StateStore(root);
    return new Container(store, store.load(id), null);
  }

  /**
   * Restores a container from a {@link Container.checkpoint} with CRIU.
   * Privileges: root; CRIU >= 4 on recent kernels.
   * @throws {ContainerError} EEXIST for a taken id; {@link @kc/criu!CriuError} when CRIU fails (its log tail attached).
   */
  static async restore(options: ContainerRestoreOptions): Promise<Container> {
    const { restoreContainer } = await import('./checkpoint.js');
    const record = await restoreContainer(options);
    return new Container(new StateStore(options.root), record, null);
  }

  /**
   * Checkpoints the running or paused container with CRIU (through
   * `@kc/criu`): its process tree, frozen by its freezer cgroup, is written
   * to `imagesDir`; unless `leaveRunning`, the container then stops. A paused
   * container is dumped as it is and, left running, stays paused, as with
   * runc.
   * @throws {ContainerError} INVALID_STATE unless running or paused; {@link @kc/criu!CriuError} when CRIU fails.
   */
  async checkpoint(options: CheckpointOptions): Promise<void> {
    const status = this.status;
    if (status !== 'running' && status !== 'paused') throw this.#wrongState('checkpoint', status, 'running or paused');
    const { checkpointRecord } = await import('./checkpoint.js');
    await this.store.withLock(this.id, async () => {
      crashPoint('checkpoint:locked');
      await checkpointRecord(this.#record, options, this.#group());
      crashPoint('checkpoint:dumped');
    });
  }

  /** The container id. */
  get id(): string {
    return this.#record.id;
  }

  /** The host pid of the container's first process (0 once stopped). */
  get pid(): number {
    return this.status === 'stopped' ? 0 : this.#record.pid;
  }

  /** What kc recorded about the container. */
  get record(): Readonly<ContainerRecord> {
    return this.#record;
  }

  /** The process handle, when this Node process created the container (else null). */
  get process(): KcProcess | null {
    return this.#process;
  }

  /** The current status (creating, created, running, paused, stopped). */
  get status(): OciStatus {
    return containerStatus(this.#record, this.store.fifoPath(this.id), () => this.#group()?.frozen ?? false);
  }

  /** The OCI state JSON (`kc state`). */
  state(): OciState {
    return ociState(this.#record, this.status);
  }

  /**
   * Runs the user's program: runs the `startContainer` hooks inside the
   * container, releases kc-init from the exec fifo, then runs the
   * `poststart` hooks (whose failures go to `onHookFailure` and do not abort).
   * A failing startContainer hook kills the container (it is then `stopped`;
   * `delete` removes it), and the user's program never runs.
   * @throws {ContainerError} INVALID_STATE unless the container is `created`;
   *   HOOK_FAILED when a startContainer hook fails.
   */
  async start(options: { onHookFailure?: HookFailureHandler } = {}): Promise<void> {
    const hooks = this.#record.config.hooks;
    await this.store.withLock(this.id, async () => {
      crashPoint('start:locked');
      // Another kc process may have changed it since this handle read it (deleted, or its create never finished).
      this.#record = this.store.load(this.id);
      const status = this.status;
      if (status !== 'created') throw this.#wrongState('start', status, 'created');
      const fifo = this.store.fifoPath(this.id);
      if (hooks?.startContainer?.length) {
        try {
          await runHooks('startContainer', hooks, ociState(this.#record, 'created'), {
            where: 'container-process',
            record: this.#record,
            cgroup: this.#placementGroup(),
          });
        } catch (e) {
          await this.#stopHeld();
          throw e;
        }
      }
      const fd = openFifoForStart(fifo);
      try {
        await readOneByte(fd, () => sameProcessAlive(this.#record.pid, this.#record.pidStartTime), this.id);
      } finally {
        closeSync(fd);
        unlinkQuiet(fifo);
      }
      // Not persisted: the status is derived from the fifo being gone (see status.ts), which saves a state write per start.
      this.#record = { ...this.#record, started: true };
      crashPoint('start:released');
    });
    if (hooks?.poststart?.length) {
      await runHooksReporting('poststart', hooks, ociState(this.#record, 'running'), { where: 'runtime', cwd: this.#record.bundle }, options.onHookFailure);
    }
  }

  /** Kills a held container whose start failed, and waits until its first process is gone (it is then `stopped`). */
  async #stopHeld(): Promise<void> {
    const cg = this.#group();
    signalRecordedProcess(this.#record.pid, this.#record.pidStartTime, 9);
    try {
      if (cg) signalAll(cg, 9); // what a hook may have left in the cgroup
    } catch {
      /* empty or gone */
    }
    if (this.#process) await this.#process.exited.catch(() => undefined);
    for (let i = 0; i < 2000 && sameProcessAlive(this.#record.pid, this.#record.pidStartTime); i++) await sleep(2);
  }

  /**
   * Waits for the container's first process to exit. Only possible in the
   * Node process that created it (others poll {@link Container.status}).
   * @throws {ContainerError} INVALID_STATE when this handle was loaded by id.
   */
  async wait(): Promise<ExitStatus> {
    if (!this.#process)
      throw new ContainerError('only the creating process can wait for the exit status', { code: 'INVALID_STATE', hint: 'poll status until "stopped"' });
    return this.#process.exited;
  }

  /**
   * Resolves once the container's first process has exited and been reaped,
   * as `KcProcess.exited`; the same promise as {@link Container.wait}. On a
   * handle loaded by id it rejects with INVALID_STATE (only the creating
   * process can reap; read it only where it is awaited).
   */
  get exited(): Promise<ExitStatus> {
    return this.wait();
  }

  /**
   * Sends a signal to the container's first process, or with `all` to every
   * process in its cgroup. As `KcProcess.kill`, returns false when the
   * container has already stopped (nothing was signalled), true otherwise.
   * @throws {KcError} INVALID_ARGUMENT for an unknown signal; {@link ContainerError} NOT_FOUND with `all` when its cgroup is gone.
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM', options: { all?: boolean } = {}): boolean {
    const n = signalNumber(signal);
    if (this.status === 'stopped') return false;
    if (options.all) {
      signalAll(this.#requireGroup(), n);
      return true;
    }
    // Through a pidfd checked against the recorded start time: never a process that reused the pid.
    return signalRecordedProcess(this.#record.pid, this.#record.pidStartTime, n);
  }

  /** Lets Node exit while the container runs (as `KcProcess.unref`); nothing on a handle loaded by id, which holds no watch. */
  unref(): void {
    this.#process?.unref();
  }

  /** Freezes every process of the container (cgroup freezer). @throws {ContainerError} INVALID_STATE unless running. */
  async pause(): Promise<void> {
    const status = this.status;
    if (status !== 'running' && status !== 'created') throw this.#wrongState('pause', status, 'running');
    await this.#requireGroup()
      .freeze()
      .catch((e: unknown) => {
        throw asContainerError(e, 'cannot freeze the container');
      });
  }

  /** Thaws a paused container. @throws {ContainerError} INVALID_STATE unless paused. */
  async resume(): Promise<void> {
    const status = this.status;
    if (status !== 'paused') throw this.#wrongState('resume', status, 'paused');
    await this.#requireGroup()
      .thaw()
      .catch((e: unknown) => {
        throw asContainerError(e, 'cannot thaw the container');
      });
  }

  /**
   * Changes the limits of a live container (`kc update`, runc 1.1's
   * meaning: a field left out or 0 keeps its value; see update.ts), through
   * its cgroup, then saves them into its record. Everything is checked
   * before the first write; the memory limit is written first (the value
   * the kernel most often refuses), and a write refused after others puts
   * back the recorded values. Devices are never changed.
   * @returns the fields accepted but ignored, as runc does (`memory.kernel`, `memory.kernelTCP`).
   * @throws {ContainerError} INVALID_STATE when the container is stopped; UNSUPPORTED or INVALID_ARGUMENT for a field kc cannot apply; a `@kc/cgroups` error when the kernel refuses a value.
   * @example
   * ```ts
   * await Container.load('web').update({ memory: { limit: 64 << 20, swap: 128 << 20 }, pids: { limit: 50 } });
   * ```
   */
  async update(resources: OciResources): Promise<string[]> {
    return this.store.withLock(this.id, async () => {
      crashPoint('update:locked');
      this.#record = this.store.load(this.id);
      const status = this.status;
      if (status === 'stopped' || status === 'creating') throw this.#wrongState('update', status, 'created, running or paused');
      const current = this.#record.config.linux?.resources;
      const plan = planUpdate(current, resources);
      const cg = this.#requireGroup();
      // systemd's scope: limits systemd knows go through SetUnitProperties (so `systemctl show` and a daemon-reload keep them), the rest to the files.
      const scope = this.#record.systemdScope ? await openSystemdScope(this.#record.systemdScope.path) : undefined;
      const set = async (r: Resources) => (scope ? scope.set(r) : cg.set(r));
      // What the kernel holds now, to put back if a later step is refused.
      const before = cg.resources();
      let wrote = false;
      try {
        for (const step of writeSteps(plan.write)) {
          await set(step);
          wrote = true;
        }
      } catch (e) {
        // INVALID_ARGUMENT and UNSUPPORTED are refused before a step's first write: nothing to put back unless an
        // earlier step was written (each step is checked as it is written, e.g. cpuset.cpus after the memory limit).
        const code = (e as { code?: unknown }).code;
        if (wrote || (code !== 'INVALID_ARGUMENT' && code !== 'UNSUPPORTED')) {
          try {
            await set(restoreWritten(before, plan.write, rollbackResources(current, plan.write)));
          } catch {
            /* the first error says what went wrong */
          }
        }
        throw asSystemdContainerError(e, `cannot update container "${this.id}"`);
      } finally {
        scope?.close();
      }
      crashPoint('update:written');
      const config = { ...this.#record.config, linux: { ...this.#record.config.linux, resources: plan.merged } };
      this.#record = { ...this.#record, config };
      this.store.save(this.#record);
      crashPoint('update:saved');
      return plan.ignored;
    });
  }

  /** Host pids of every process in the container's cgroup. */
  pids(): number[] {
    return this.#group()?.procs() ?? [];
  }

  /** Memory, cpu, pids and OOM counters from the container's cgroup. */
  stats(): ContainerStats {
    const cg = this.#group();
    return cg ? containerStats(cg) : {};
  }

  /**
   * Runs another process inside the container: same namespaces, cgroup and,
   * unless overridden, the container's user, capabilities, seccomp filter,
   * rlimits, env and cwd.
   * @throws {ContainerError} INVALID_STATE unless the container is running.
   */
  exec(process: Omit<Partial<OciProcess>, 'args'> & { args: readonly string[] }, options: ExecOptions = {}): KcProcess {
    const status = this.status;
    if (status !== 'running' && status !== 'created') throw this.#wrongState('exec', status, 'running');
    return execInContainer(this.#record, this.#placementGroup(), process, options);
  }

  /**
   * Deletes the container: its first process (with `force`, or when it is
   * no longer running), its cgroups, its root overlay (if kc mounted one)
   * and, last, its state; then runs the `poststop` hooks (failures go to
   * `onHookFailure`, default a process warning). Works on a container whose
   * create never finished, whatever it left (see delete.ts).
   * @throws {ContainerError} INVALID_STATE when it runs and `force` is not set; NOT_FOUND when it is already gone and `force` is not set.
   */
  async delete(options: ContainerDeleteOptions = {}): Promise<void> {
    await deleteContainer(this.store, this.id, options, this.#process);
    this.#cgroup = undefined;
  }

  /**
   * Deletes container `id` under a state root without a handle: what
   * `kc delete [-f] ID` does. Whatever stage its create reached (a `kc`
   * process or a Node program killed during create leaves a record naming
   * what it made), this removes it. With `force`, an unknown id is not an
   * error (as `runc delete -f`); returns whether there was a container.
   *
   * Privileges: root.
   * @throws {ContainerError} NOT_FOUND for an unknown id without `force`; INVALID_STATE when it runs and `force` is not set.
   * @example
   * ```ts
   * // After a crash: remove what is left of "web", if anything.
   * await Container.remove('web', { force: true });
   * ```
   */
  static async remove(id: string, options: ContainerDeleteOptions & { root?: string } = {}): Promise<boolean> {
    return (await deleteContainer(new StateStore(options.root), id, options)) !== undefined;
  }

  /** Kills and deletes the container (for `await using`); nothing when it is already deleted. */
  async [Symbol.asyncDispose](): Promise<void> {
    await deleteContainer(this.store, this.id, { force: true }, this.#process);
    this.#cgroup = undefined;
  }

  #wrongState(action: string, status: OciStatus, want: string): ContainerError {
    return new ContainerError(`cannot ${action} container "${this.id}": it is ${status}`, { code: 'INVALID_STATE', hint: `it must be ${want}` });
  }
}
