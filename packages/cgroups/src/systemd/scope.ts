import type { CgroupPlacement } from '@kc/native';
import { invalidArgument, KcErrorCode } from '@kc/native';
import { backendFor } from '../backend/select.js';
import type { CgroupDriver } from '../driver.js';
import { Cgroup } from '../cgroup.js';
import { CgroupError } from '../errors.js';
import { machineFacts } from '../internal/machine.js';
import { systemLayout } from '../layout/detect.js';
import type { CgroupLayout } from '../layout/types.js';
import type { Resources } from '../resources/types.js';
import { validateResources } from '../resources/validate.js';
import { DbusConnection } from './dbus-connection.js';
import { SystemdError } from './errors.js';
import { SystemdManager } from './manager.js';
import { type UnitProperty, unitProperties } from './properties.js';
import { expandSlice, parseSystemdCgroupPath, type SystemdScopePath } from './unit-name.js';

/** Options of {@link SystemdCgroup.create}. */
export interface SystemdCgroupOptions {
  /** The process the scope starts with (`PIDs=`). systemd refuses a scope without one. */
  pid?: number;
  /** Limits: those systemd knows become unit properties, the rest are written to the delegated cgroup's files. */
  resources?: Resources;
  /** The unit's `Description=` (default `kc container <name>`). */
  description?: string;
  /** How long to wait for each systemd job (start, stop), in ms (default 30000, as runc). */
  timeoutMs?: number;
  /** The cgroup layout (default: the running system's); must be unified (cgroup v2 alone). */
  layout?: CgroupLayout;
}

/** Options of {@link SystemdCgroup.delete}. */
export interface SystemdDeleteOptions {
  /** SIGKILL every process in the scope first (systemd's `KillUnit`), so the stop does not wait out `TimeoutStopSec` on one that ignores SIGTERM (default true). */
  kill?: boolean;
}

const UNIT = 'org.freedesktop.systemd1.Unit';

/** The slice units a slice lives in, outermost first: `a-b.slice` → `a.slice`, `a-b.slice` (`-.slice`, the root, is never made). */
function sliceChain(slice: string): string[] {
  if (slice === '-.slice') return [];
  const parts = slice.slice(0, -'.slice'.length).split('-');
  return parts.map((_, i) => `${parts.slice(0, i + 1).join('-')}.slice`);
}

/** Stops slices this handle caused, deepest first, while nothing else lives in them (another scope may have joined meanwhile). */
async function stopSlices(manager: SystemdManager, slices: readonly string[], layout: CgroupLayout, timeoutMs: number): Promise<void> {
  for (const slice of [...slices].reverse()) {
    const dir = `${expandSlice(slice)}`;
    let busy = false;
    try {
      busy = Cgroup.open(dir, { layout }).children().length > 0;
    } catch {
      // Not there: nothing of it to keep.
    }
    if (busy) return;
    await stopScope(manager, slice, timeoutMs).catch(() => {});
  }
}

/** The unit or its processes are already gone (what a kill before stop may find). */
const isGone = (e: unknown) =>
  e instanceof SystemdError && (e.dbusError === 'org.freedesktop.systemd1.NoSuchUnit' || e.dbusError === 'org.freedesktop.systemd1.NoSuchProcess');
const isNoSuchUnit = (e: unknown) => e instanceof SystemdError && e.dbusError === 'org.freedesktop.systemd1.NoSuchUnit';

/** Properties every kc scope gets (runc's v2.go Apply): delegation, accounting, no default dependencies, and garbage collection even when it failed. */
function baseProperties(scope: SystemdScopePath, options: SystemdCgroupOptions): UnitProperty[] {
  const p: UnitProperty[] = [
    { name: 'Description', type: 's', value: options.description ?? `kc container ${scope.name}` },
    { name: 'Slice', type: 's', value: scope.slice },
    { name: 'Delegate', type: 'b', value: true },
    { name: 'DefaultDependencies', type: 'b', value: false },
    { name: 'CollectMode', type: 's', value: 'inactive-or-failed' },
    { name: 'MemoryAccounting', type: 'b', value: true },
    { name: 'CPUAccounting', type: 'b', value: true },
    { name: 'IOAccounting', type: 'b', value: true },
    { name: 'TasksAccounting', type: 'b', value: true },
  ];
  if (options.pid !== undefined) p.push({ name: 'PIDs', type: 'au', value: [options.pid] });
  return p;
}

/**
 * A cgroup managed by systemd: a transient scope unit `<prefix>-<name>.scope`
 * in a slice, created over the system D-Bus with `Delegate=yes` (runc's
 * `--systemd-cgroup` driver, libcontainer/cgroups/systemd). Limits systemd
 * knows are unit properties (visible in `systemctl show`); the others are
 * written to the scope's cgroup files, which delegation gives to kc. File
 * work (stats, pressure, events, freeze, kill, spawn placement) goes through
 * {@link SystemdCgroup.cgroup}. Releasable with `await using`.
 *
 * Privileges: root, on a host booted with systemd (the system bus at
 * `/run/dbus/system_bus_socket`) and cgroup v2 alone.
 * @example
 * ```ts
 * await using scope = await SystemdCgroup.create('system.slice:kc:demo', { pid: child.pid, resources: { memory: { max: 64 << 20 } } });
 * console.log(scope.unit, scope.cgroup.stats().memory?.usage);
 * ```
 */
export class SystemdCgroup implements CgroupDriver {
  /** Which driver this is. */
  readonly driver = 'systemd' as const;
  private deleted = false;
  private periodUs: number | undefined;

  private constructor(
    /** The parsed `slice:prefix:name`. */
    readonly scope: SystemdScopePath,
    /** The scope's cgroup, for file-level work (stats, events, freeze, kill, placement). */
    readonly cgroup: Cgroup,
    private readonly manager: SystemdManager,
    private readonly timeoutMs: number,
    /** Slices systemd made for this scope (none was loaded before), deepest last. */
    private readonly newSlices: readonly string[],
  ) {}

  /** The unit's name, e.g. `kc-demo.scope`. */
  get unit(): string {
    return this.scope.unit;
  }
  /** The cgroup path below the v2 mount, e.g. `/system.slice/kc-demo.scope`. */
  get path(): string {
    return this.scope.cgroupPath;
  }

  /**
   * Starts the scope and waits for its job, then writes the limits systemd
   * has no property for. Input is checked before the bus is touched; when
   * anything fails after systemd accepted the unit, the unit is stopped and
   * reset, so none is left behind.
   *
   * @throws {@link CgroupError} `INVALID_ARGUMENT` (malformed path, a name systemd would refuse, bad limits), `UNSUPPORTED` (no system bus; not cgroup v2 alone).
   * @throws {@link SystemdError} `SYSTEMD_REFUSED` (systemd refused the unit or a property: `dbusError`), `SYSTEMD_JOB_FAILED` (`jobResult`), `EEXIST` (the unit exists), `ETIMEDOUT`.
   */
  static async create(path: string, options: SystemdCgroupOptions = {}): Promise<SystemdCgroup> {
    const scope = parseSystemdCgroupPath(path);
    if (options.pid !== undefined && (!Number.isInteger(options.pid) || options.pid <= 0))
      throw invalidArgument(CgroupError, 'pid', `${options.pid} is not a process id`);
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw invalidArgument(CgroupError, 'timeoutMs', 'must be a positive integer');
    const resources = options.resources ?? {};
    validateResources(resources, machineFacts());
    const { properties, rest } = unitProperties(resources);
    const bus = await DbusConnection.connect();
    try {
      const layout = options.layout ?? systemLayout();
      if (layout.mode !== 'unified')
        throw new CgroupError(`the systemd driver needs cgroup v2 alone; this host is ${layout.mode}`, {
          code: KcErrorCode.Unsupported,
          hint: 'boot with systemd.unified_cgroup_hierarchy=1, or use the cgroupfs driver',
        });
      backendFor(layout).plan(scope.cgroupPath, rest); // the file limits are supported here, before anything is created
      const manager = await SystemdManager.open(bus);
      // systemd makes a missing slice (and its parents) on demand; remember which, to stop them again at delete.
      const newSlices: string[] = [];
      for (const slice of sliceChain(scope.slice)) if ((await manager.unitProperty(slice, UNIT, 'LoadState')) === undefined) newSlices.push(slice);
      try {
        await startScope(manager, scope, [...baseProperties(scope, options), ...properties], timeoutMs);
      } catch (e) {
        await stopSlices(manager, newSlices, layout, timeoutMs);
        // systemd (252) refuses a scope without processes at load ("failed to load properly").
        if (e instanceof SystemdError && options.pid === undefined && e.code === 'SYSTEMD_REFUSED')
          throw new SystemdError(e.message, {
            code: e.code,
            unit: e.unit,
            dbusError: e.dbusError,
            cause: e.cause,
            hint: 'a scope starts with a process: pass options.pid',
          });
        throw e;
      }
      let cg: Cgroup | undefined;
      try {
        cg = Cgroup.open(scope.cgroupPath, { layout });
        cg.set(rest);
      } catch (e) {
        await stopScope(manager, scope.unit, timeoutMs).catch(() => {});
        await stopSlices(manager, newSlices, layout, timeoutMs);
        throw e;
      }
      const out = new SystemdCgroup(scope, cg, manager, timeoutMs, newSlices);
      if (typeof resources.cpu?.period === 'number') out.periodUs = resources.cpu.period;
      return out;
    } catch (e) {
      bus.close();
      throw e;
    }
  }

  /**
   * Opens the scope of a running unit made earlier (by another process: a
   * later `kc update` or `kc delete`), for {@link SystemdCgroup.set} and
   * {@link SystemdCgroup.delete}. Slices are never stopped by a handle from
   * `open` (this process cannot know which ones the creator caused).
   *
   * @throws {@link CgroupError} `INVALID_ARGUMENT` (malformed path), `UNSUPPORTED` (no system bus), `NOT_FOUND` (systemd has no such unit loaded, or its cgroup is gone).
   */
  static async open(path: string, options: Pick<SystemdCgroupOptions, 'timeoutMs' | 'layout'> = {}): Promise<SystemdCgroup> {
    const scope = parseSystemdCgroupPath(path);
    const bus = await DbusConnection.connect();
    try {
      const manager = await SystemdManager.open(bus);
      if ((await manager.unitProperty(scope.unit, UNIT, 'LoadState')) === undefined)
        throw new CgroupError(`systemd has no unit ${scope.unit}`, { code: KcErrorCode.NotFound, path: scope.unit, hint: 'it was stopped, or never started' });
      const layout = options.layout ?? systemLayout();
      const out = new SystemdCgroup(scope, Cgroup.open(scope.cgroupPath, { layout }), manager, options.timeoutMs ?? 30_000, []);
      return out;
    } catch (e) {
      bus.close();
      throw e;
    }
  }

  /**
   * Stops the scope of `path` by its unit name, whatever state it is in and
   * without needing its cgroup: SIGKILL through systemd, `StopUnit`, then
   * `ResetFailedUnit`. A unit systemd does not know is fine (already gone).
   * For cleanup after a creator that died between `StartTransientUnit` and
   * its record of success.
   *
   * @throws {@link CgroupError} `INVALID_ARGUMENT` (malformed path), `UNSUPPORTED` (no system bus).
   * @throws {@link SystemdError} when the stop job does not end in time.
   */
  static async stop(path: string, options: Pick<SystemdCgroupOptions, 'timeoutMs'> = {}): Promise<void> {
    const scope = parseSystemdCgroupPath(path);
    const bus = await DbusConnection.connect();
    let manager: SystemdManager | undefined;
    try {
      manager = await SystemdManager.open(bus);
      // Not loaded (never started, or collected once empty): nothing to stop, and StopUnit would load it only to fail.
      if ((await manager.unitProperty(scope.unit, UNIT, 'LoadState')) === undefined) return;
      await manager.killUnit(scope.unit, 9).catch((e) => (isGone(e) ? undefined : Promise.reject(e)));
      await stopScope(manager, scope.unit, options.timeoutMs ?? 30_000);
    } finally {
      if (manager) manager.close();
      else bus.close();
    }
  }

  /** Closes the bus connection and leaves the unit running (the handle can no longer change or delete it). */
  close(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.manager.close();
  }

  /**
   * Changes limits: properties through `SetUnitProperties` (runtime), the
   * rest written to the files.
   * @throws {@link CgroupError} / {@link SystemdError} as {@link SystemdCgroup.create}.
   */
  async set(resources: Resources): Promise<void> {
    this.checkLive();
    validateResources(resources, machineFacts());
    // A quota alone is per the period the unit has (systemd keeps quota per second).
    const period = resources.cpu?.period ?? this.periodUs;
    const r =
      resources.cpu?.quota !== undefined && resources.cpu.period === undefined && period !== undefined
        ? { ...resources, cpu: { ...resources.cpu, period } }
        : resources;
    const { properties, rest } = unitProperties(r);
    await this.manager.setUnitProperties(this.unit, properties);
    this.cgroup.set(rest);
    if (typeof r.cpu?.period === 'number') this.periodUs = r.cpu.period;
  }

  /** Moves a process into the scope through systemd (`AttachProcessesToUnit`). @throws {@link SystemdError} */
  async addProcess(pid: number): Promise<void> {
    this.checkLive();
    if (!Number.isInteger(pid) || pid <= 0) throw invalidArgument(CgroupError, 'pid', `${pid} is not a process id`);
    await this.manager.attachProcesses(this.unit, [pid]);
  }

  /** The `cgroup` slot of a `@kc/native` spawn spec: the scope's directory for CLONE_INTO_CGROUP. */
  spawnPlacement(): CgroupPlacement {
    return this.cgroup.spawnPlacement();
  }

  /** The unit's `ActiveState` (`active`, `deactivating`...), or undefined when systemd has no such unit loaded. */
  async activeState(): Promise<string | undefined> {
    return (await this.manager.unitProperty(this.unit, 'org.freedesktop.systemd1.Unit', 'ActiveState')) as string | undefined;
  }

  /**
   * Stops the scope (`StopUnit`, waiting for the job), resets it if it
   * failed, and closes the bus connection. With `kill` (default) the
   * processes are SIGKILLed first through systemd (`KillUnit`).
   * @throws {@link SystemdError} when the stop job does not end in time.
   */
  async delete(options: SystemdDeleteOptions = {}): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    try {
      await this.cgroup[Symbol.asyncDispose]();
      // systemd removes a scope (and its cgroup) as soon as it is empty, so the
      // kill goes through systemd too rather than racing it in the files.
      if (options.kill !== false) await this.manager.killUnit(this.unit, 9).catch((e) => (isGone(e) ? undefined : Promise.reject(e)));
      await stopScope(this.manager, this.unit, this.timeoutMs);
      await stopSlices(this.manager, this.newSlices, this.cgroup.layout, this.timeoutMs);
    } finally {
      this.manager.close();
    }
  }

  /** Same as {@link SystemdCgroup.delete}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.delete();
  }

  private checkLive(): void {
    if (this.deleted) throw new CgroupError(`${this.unit} was deleted`, { code: KcErrorCode.InvalidState });
  }
}

/** StartTransientUnit and wait; a leftover failed unit of that name is reset once and the start retried (as runc does). */
async function startScope(manager: SystemdManager, scope: SystemdScopePath, props: readonly UnitProperty[], timeoutMs: number): Promise<void> {
  let job: string;
  try {
    job = await manager.startTransientUnit(scope.unit, props);
  } catch (e) {
    if (!(e instanceof SystemdError) || e.dbusError !== 'org.freedesktop.systemd1.UnitExists') throw e;
    await manager.resetFailedUnit(scope.unit).catch(() => {});
    try {
      job = await manager.startTransientUnit(scope.unit, props);
    } catch (again) {
      if (again instanceof SystemdError && again.dbusError === 'org.freedesktop.systemd1.UnitExists')
        throw new SystemdError(`${scope.unit} already exists`, {
          code: 'EEXIST',
          unit: scope.unit,
          dbusError: again.dbusError,
          cause: again,
          hint: 'pick another name, or stop the unit',
        });
      throw again;
    }
  }
  let result: string;
  try {
    result = await manager.waitJob(job, scope.unit, timeoutMs);
  } catch (e) {
    await stopScope(manager, scope.unit, timeoutMs).catch(() => {});
    throw e;
  }
  if (result !== 'done') {
    await manager.resetFailedUnit(scope.unit).catch(() => {});
    throw new SystemdError(`systemd could not start ${scope.unit}: the job ended "${result}"`, {
      code: 'SYSTEMD_JOB_FAILED',
      unit: scope.unit,
      jobResult: result,
      hint: `see journalctl -u ${scope.unit}; a scope needs a running pid`,
    });
  }
}

/** StopUnit and wait; a unit that is already gone is fine; a failed one is reset so nothing stays loaded. */
async function stopScope(manager: SystemdManager, unit: string, timeoutMs: number): Promise<void> {
  try {
    const job = await manager.stopUnit(unit);
    await manager.waitJob(job, unit, timeoutMs);
  } catch (e) {
    if (!isNoSuchUnit(e)) throw e;
  }
  await manager.resetFailedUnit(unit).catch(() => {});
}
