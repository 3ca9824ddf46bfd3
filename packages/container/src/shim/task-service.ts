import { create } from '@bufbuild/protobuf';
import { type Any, type Timestamp, timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { KcProcess } from '@kc/native';
import { Container } from '../lifecycle/container.js';
import type { OciProcess, OciResources } from '../oci/types.js';
import {
  TaskCheckpointedSchema,
  TaskCreateSchema,
  TaskDeleteSchema,
  TaskExecAddedSchema,
  TaskExecStartedSchema,
  TaskExitSchema,
  TaskOOMSchema,
  TaskPausedSchema,
  TaskResumedSchema,
  TaskStartSchema,
} from './gen/github.com/containerd/containerd/api/events/task_pb.js';
import { Status } from './gen/github.com/containerd/containerd/api/types/task/task_pb.js';
import type {
  CheckpointTaskRequest,
  CreateTaskRequest,
  ExecProcessRequest,
  KillRequest,
  StateResponse,
  UpdateTaskRequest,
} from './gen/github.com/containerd/containerd/runtime/v2/task/shim_pb.js';
import { checkpointOptions } from './checkpoint-options.js';
import { ShimConsole } from './console.js';
import type { EventPublisher } from './events.js';
import { ExitSlot, exitCodeOf, type ShimExit } from './process-exit.js';
import { mountRootfs, unmountRootfs } from './rootfs.js';
import { taskStatsAny } from './stats.js';
import { restoreTask } from './restore.js';
import { ProcessStdio, type StdioPaths } from './stdio.js';
import { GrpcCode, TtrpcError } from './ttrpc/status.js';

/** An exec'd process: defined by Exec, spawned by Start, its exit kept until Delete. */
interface ExecEntry {
  readonly spec: OciProcess;
  readonly paths: StdioPaths;
  readonly exit: ExitSlot;
  readonly terminal: boolean;
  stdio: ProcessStdio | undefined;
  console: ShimConsole | undefined;
  process: KcProcess | undefined;
}

/** A task: the container kc created in this process, its init's stdio and exit, and its execs. */
interface TaskEntry {
  readonly id: string;
  readonly bundle: string;
  readonly container: Container;
  readonly stdio: ProcessStdio;
  /** The pty's copies when the init has a terminal (then `stdio` holds no fifo). */
  readonly console: ShimConsole | undefined;
  readonly exit: ExitSlot;
  readonly execs: Map<string, ExecEntry>;
  readonly pid: number;
  /** OOM kills in the task's cgroup already reported with /tasks/oom. */
  oomKills: number;
  /** The last signal Kill sent the init: a restored init is no child of the shim, so its exit is reported as that signal's. */
  signalled?: number;
  /** Restored from a checkpoint at Create: already running. */
  readonly restored: boolean;
}

/** What a process's state/wait/delete report: its pid and, once it ended, its exit. */
interface ProcessView {
  readonly pid: number;
  readonly exit: ShimExit | undefined;
}

/** A terminal's process has no fifo of its own: the pty carries its stdio. */
const NO_FIFOS: StdioPaths = { stdin: '', stdout: '', stderr: '' };
/** An exit is published once a terminal's output reached containerd's fifo (at once without one). */
const afterOutput = (console: ShimConsole | undefined): Promise<void> => (console ? console.drained() : Promise.resolve());

const timestamp = (d: Date | undefined): Timestamp | undefined => (d ? timestampFromDate(d) : undefined);
const decodeJson = <T>(any: Any | undefined, field: string): T => {
  if (!any) throw new TtrpcError(GrpcCode.InvalidArgument, `${field} is required`);
  try {
    return JSON.parse(Buffer.from(any.value).toString('utf8')) as T;
  } catch (e) {
    throw new TtrpcError(GrpcCode.InvalidArgument, `${field}: not JSON (${(e as Error).message})`);
  }
};

/**
 * containerd's Task service (runtime/v2/task/shim.proto) over `@kc/container`:
 * each task is a {@link Container} created and held in this process, so its
 * exit status comes from the pidfd of a child, not from polling.
 */
export class TaskService {
  readonly #tasks = new Map<string, TaskEntry>();

  constructor(
    readonly stateRoot: string,
    readonly events: EventPublisher,
    readonly log: (line: string) => void,
  ) {}

  /** Tasks still held (Shutdown waits until there are none). */
  get size(): number {
    return this.#tasks.size;
  }

  #task(id: string): TaskEntry {
    const t = this.#tasks.get(id);
    if (!t) throw new TtrpcError(GrpcCode.NotFound, `task ${id} not found`);
    return t;
  }

  #exec(t: TaskEntry, execId: string): ExecEntry {
    const e = t.execs.get(execId);
    if (!e) throw new TtrpcError(GrpcCode.NotFound, `exec ${execId} of task ${t.id} not found`);
    return e;
  }

  /** Create: mounts the snapshot, opens the fifos, creates the container (held before exec until Start). */
  async create(req: CreateTaskRequest): Promise<number> {
    if (this.#tasks.has(req.id)) throw new TtrpcError(GrpcCode.AlreadyExists, `task ${req.id} already exists`);
    if (req.checkpoint) return this.#restore(req);
    mountRootfs(req.bundle, req.rootfs);
    let stdio: ProcessStdio | undefined;
    let console: ShimConsole | undefined;
    try {
      const paths = { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr };
      // With a terminal kc-init makes the pty's slave the process's stdio; the shim copies the fifos through the master.
      if (req.terminal) console = new ShimConsole(this.stateRoot, paths, this.log);
      stdio = new ProcessStdio(console ? NO_FIFOS : paths);
      const container = await Container.create({ id: req.id, bundle: req.bundle, root: this.stateRoot, stdio: stdio.options, consoleSocket: console?.path });
      stdio.attach(container.process?.stdin ?? null);
      const task = this.#register(req, container, stdio, console);
      const exited = (status: number) => void afterOutput(console).then(() => this.#initExited(task, status));
      container.wait().then(
        (s) => exited(exitCodeOf(s)),
        (e: unknown) => {
          this.log(`wait ${task.id}: ${(e as Error).message}`);
          exited(255);
        },
      );
      return task.pid;
    } catch (e) {
      stdio?.closeFds();
      console?.close();
      unmountRootfs(req.bundle);
      throw e;
    }
  }

  /** Records a created (or `restored`) task and publishes /tasks/create for it. */
  #register(req: CreateTaskRequest, container: Container, stdio: ProcessStdio, console: ShimConsole | undefined, restored = false): TaskEntry {
    const task: TaskEntry = {
      id: req.id,
      bundle: req.bundle,
      container,
      stdio,
      console,
      exit: new ExitSlot(),
      execs: new Map(),
      pid: container.pid,
      oomKills: 0,
      restored,
    };
    this.#tasks.set(req.id, task);
    const io = { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, terminal: req.terminal };
    this.events.publish(
      '/tasks/create',
      TaskCreateSchema,
      create(TaskCreateSchema, { containerId: req.id, bundle: req.bundle, rootfs: req.rootfs, io, checkpoint: req.checkpoint, pid: task.pid }),
    );
    return task;
  }

  /** Create from a checkpoint: restores the task with CRIU (running at once), its stdout/stderr on containerd's fifos (see restore.ts). */
  async #restore(req: CreateTaskRequest): Promise<number> {
    if (req.terminal) throw new TtrpcError(GrpcCode.InvalidArgument, 'create from a checkpoint: a terminal is not supported by the kc shim');
    mountRootfs(req.bundle, req.rootfs);
    const paths = { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr };
    // The shim's copies keep what the task writes until containerd's reader comes, as for a created task.
    const stdio = new ProcessStdio({ ...paths, stdin: '' });
    try {
      const { container, ended } = await restoreTask({ id: req.id, bundle: req.bundle, root: this.stateRoot, checkpoint: req.checkpoint, paths });
      stdio.attach(null);
      const task = this.#register(req, container, stdio, undefined, true);
      void ended.then(() => this.#initExited(task, task.signalled ? 128 + task.signalled : 255));
      return task.pid;
    } catch (e) {
      stdio.closeFds();
      unmountRootfs(req.bundle);
      throw e;
    }
  }

  /**
   * Publishes /tasks/oom when the kernel's OOM killer struck in the task's
   * cgroup since the last check (memory.events oom_kill / memory.oom_control),
   * looked at when one of its processes exits: the kill is what ends it.
   */
  #checkOom(task: TaskEntry): void {
    let n = 0;
    try {
      n = task.container.stats().oomKills ?? 0;
    } catch {
      return; // the cgroup is gone
    }
    if (n <= task.oomKills) return;
    task.oomKills = n;
    this.events.publish('/tasks/oom', TaskOOMSchema, create(TaskOOMSchema, { containerId: task.id }));
  }

  #initExited(task: TaskEntry, status: number): void {
    this.#checkOom(task);
    const at = new Date();
    task.exit.set({ status, at });
    this.events.publish(
      '/tasks/exit',
      TaskExitSchema,
      create(TaskExitSchema, { containerId: task.id, id: task.id, pid: task.pid, exitStatus: status, exitedAt: timestampFromDate(at) }),
    );
  }

  /** Start: releases the init (Container.start) or spawns a defined exec. */
  async start(id: string, execId: string): Promise<number> {
    const task = this.#task(id);
    if (!execId) {
      // A restored task runs from Create on (CRIU continues it); Start only reports it.
      if (!task.restored) await task.container.start();
      this.events.publish('/tasks/start', TaskStartSchema, create(TaskStartSchema, { containerId: id, pid: task.pid }));
      return task.pid;
    }
    const entry = this.#exec(task, execId);
    if (entry.process) throw new TtrpcError(GrpcCode.FailedPrecondition, `exec ${execId} already started`);
    const console = entry.terminal ? new ShimConsole(this.stateRoot, entry.paths, this.log) : undefined;
    const stdio = new ProcessStdio(console ? NO_FIFOS : entry.paths);
    let proc: KcProcess;
    try {
      proc = task.container.exec(
        { ...entry.spec, args: entry.spec.args ?? [], terminal: entry.terminal },
        { stdio: stdio.options, consoleSocket: console?.path },
      );
    } catch (e) {
      stdio.closeFds();
      console?.close();
      throw e;
    }
    stdio.attach(proc.stdin);
    entry.stdio = stdio;
    entry.console = console;
    entry.process = proc;
    const done = (status: number) => {
      this.#checkOom(task);
      const at = new Date();
      entry.exit.set({ status, at });
      this.events.publish(
        '/tasks/exit',
        TaskExitSchema,
        create(TaskExitSchema, { containerId: id, id: execId, pid: proc.pid, exitStatus: status, exitedAt: timestampFromDate(at) }),
      );
    };
    proc.exited.then(
      (s) => afterOutput(console).then(() => done(exitCodeOf(s))),
      () => afterOutput(console).then(() => done(255)),
    );
    this.events.publish('/tasks/exec-started', TaskExecStartedSchema, create(TaskExecStartedSchema, { containerId: id, execId, pid: proc.pid }));
    return proc.pid;
  }

  /** Exec: records the process to run (its spec is the OCI process as JSON); Start spawns it. */
  exec(req: ExecProcessRequest): void {
    const task = this.#task(req.id);
    if (task.exit.exit) throw new TtrpcError(GrpcCode.FailedPrecondition, `task ${req.id} has exited`);
    if (task.execs.has(req.execId)) throw new TtrpcError(GrpcCode.AlreadyExists, `exec ${req.execId} already exists`);
    const spec = decodeJson<OciProcess>(req.spec, 'spec');
    if (!Array.isArray(spec.args) || spec.args.length === 0) throw new TtrpcError(GrpcCode.InvalidArgument, 'spec.args: a process needs arguments');
    task.execs.set(req.execId, {
      spec,
      paths: { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr },
      exit: new ExitSlot(),
      terminal: req.terminal,
      stdio: undefined,
      console: undefined,
      process: undefined,
    });
    this.events.publish('/tasks/exec-added', TaskExecAddedSchema, create(TaskExecAddedSchema, { containerId: req.id, execId: req.execId }));
  }

  #view(id: string, execId: string): ProcessView {
    const task = this.#task(id);
    if (!execId) return { pid: task.pid, exit: task.exit.exit };
    const e = this.#exec(task, execId);
    return { pid: e.process?.pid ?? 0, exit: e.exit.exit };
  }

  /** State of the init or an exec, in containerd's terms. */
  state(id: string, execId: string): StateResponse {
    const task = this.#task(id);
    const view = this.#view(id, execId);
    const entry = execId ? task.execs.get(execId) : undefined;
    const paths = entry ? entry.paths : (task.console?.paths ?? task.stdio.paths);
    let status: Status;
    if (view.exit) status = Status.STOPPED;
    else if (entry) status = entry.process ? Status.RUNNING : Status.CREATED;
    else {
      const s = task.container.status;
      status =
        s === 'created'
          ? Status.CREATED
          : s === 'running'
            ? Status.RUNNING
            : s === 'paused'
              ? Status.PAUSED
              : s === 'stopped'
                ? Status.STOPPED
                : Status.UNKNOWN;
    }
    return {
      $typeName: 'containerd.task.v2.StateResponse',
      id: execId || id,
      bundle: task.bundle,
      pid: view.pid,
      status,
      stdin: paths.stdin,
      stdout: paths.stdout,
      stderr: paths.stderr,
      terminal: entry ? entry.terminal : task.console !== undefined,
      exitStatus: view.exit?.status ?? 0,
      exitedAt: timestamp(view.exit?.at),
      execId,
    };
  }

  /** Wait: resolves at the process's exit, with its status. */
  async wait(id: string, execId: string): Promise<ShimExit> {
    const task = this.#task(id);
    return execId ? this.#exec(task, execId).exit.wait() : task.exit.wait();
  }

  /** Kill: a signal to the init (or with `all` to every process of the task), or to an exec. */
  kill(req: KillRequest): void {
    const task = this.#task(req.id);
    const finished = () => new TtrpcError(GrpcCode.NotFound, 'process already finished');
    if (req.execId) {
      const e = this.#exec(task, req.execId);
      if (!e.process || e.exit.exit) throw finished();
      e.process.kill(req.signal);
      return;
    }
    if (task.exit.exit && !req.all) throw finished();
    task.container.kill(req.signal, { all: req.all });
    task.signalled = req.signal;
  }

  /** Delete: removes an exited exec, or the container (its cgroup, state and rootfs mount); returns what containerd records. */
  async delete(id: string, execId: string): Promise<ProcessView & { exit: ShimExit }> {
    const task = this.#task(id);
    if (execId) {
      const e = this.#exec(task, execId);
      if (e.process && !e.exit.exit) throw new TtrpcError(GrpcCode.FailedPrecondition, `exec ${execId} is still running`);
      e.stdio?.release();
      e.console?.close();
      task.execs.delete(execId);
      return { pid: e.process?.pid ?? 0, exit: e.exit.exit ?? { status: 0, at: new Date() } };
    }
    const status = task.exit.exit ? 'stopped' : task.container.status;
    if (status === 'running' || status === 'paused') throw new TtrpcError(GrpcCode.FailedPrecondition, `task ${id} is ${status}: kill it first`);
    // A task created but never started: delete kills its held init, whose exit then lands in the slot.
    await task.container.delete({ force: true });
    const exit = await task.exit.wait();
    task.stdio.release();
    task.console?.close();
    for (const e of task.execs.values()) {
      e.stdio?.release();
      e.console?.close();
    }
    unmountRootfs(task.bundle);
    this.#tasks.delete(id);
    this.events.publish(
      '/tasks/delete',
      TaskDeleteSchema,
      create(TaskDeleteSchema, { containerId: id, pid: task.pid, exitStatus: exit.status, exitedAt: timestampFromDate(exit.at) }),
    );
    return { pid: task.pid, exit };
  }

  /** Host pids of every process in the task's cgroup. */
  pids(id: string): number[] {
    return this.#task(id).container.pids();
  }

  /** Pause: freezes the task's cgroup. */
  async pause(id: string): Promise<void> {
    await this.#task(id).container.pause();
    this.events.publish('/tasks/paused', TaskPausedSchema, create(TaskPausedSchema, { containerId: id }));
  }

  /** Resume: thaws it. */
  async resume(id: string): Promise<void> {
    await this.#task(id).container.resume();
    this.events.publish('/tasks/resumed', TaskResumedSchema, create(TaskResumedSchema, { containerId: id }));
  }

  /** CloseIO: ends the process's stdin. */
  closeIO(id: string, execId: string, stdin: boolean): void {
    const task = this.#task(id);
    if (!stdin) return;
    if (execId) {
      const e = this.#exec(task, execId);
      e.stdio?.closeStdin();
      e.console?.closeStdin();
    } else {
      task.stdio.closeStdin();
      task.console?.closeStdin();
    }
  }

  /** ResizePty: the new size of the process's terminal; nothing to do for a process without one. */
  resizePty(id: string, execId: string, rows: number, cols: number): void {
    const task = this.#task(id);
    const console = execId ? this.#exec(task, execId).console : task.console;
    console?.resize(rows, cols);
  }

  /** Update: new limits (the OCI LinuxResources JSON containerd sends) through Container.update. */
  async update(req: UpdateTaskRequest): Promise<void> {
    await this.#task(req.id).container.update(decodeJson<OciResources>(req.resources, 'resources'));
  }

  /** Stats: the task's cgroup statistics, as cgroup v2 metrics when its group is v2 only, else as v1 metrics. */
  stats(id: string): Any {
    const { container } = this.#task(id);
    return taskStatsAny(container.stats(), container.record.cgroupDirs);
  }

  /** Checkpoint: dumps the task with CRIU through Container.checkpoint (stopping it with `exit`), then publishes /tasks/checkpointed. */
  async checkpoint(req: CheckpointTaskRequest): Promise<void> {
    const task = this.#task(req.id);
    const { options } = checkpointOptions(req.path, req.options);
    // containerd's client pauses a task before it checkpoints it: left running, it stays paused for containerd to resume.
    await task.container.checkpoint(options);
    this.events.publish('/tasks/checkpointed', TaskCheckpointedSchema, create(TaskCheckpointedSchema, { containerId: req.id, checkpoint: options.imagesDir }));
  }

  /** The init's pid, or 0 when the task is unknown (Connect). */
  taskPid(id: string): number {
    return this.#tasks.get(id)?.pid ?? 0;
  }
}
