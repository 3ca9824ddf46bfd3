/**
 * The calls kc makes on systemd's manager object (org.freedesktop.systemd1(5)):
 * start a transient unit, set properties, stop, reset a failed unit, read a
 * property, and wait for a job to end through the `JobRemoved` signal.
 */
import type { DbusConnection } from './dbus-connection.js';
import { SystemdError } from './errors.js';
import type { UnitProperty } from './properties.js';

const SYSTEMD = 'org.freedesktop.systemd1';
const MANAGER_PATH = '/org/freedesktop/systemd1';
const MANAGER = 'org.freedesktop.systemd1.Manager';
const JOB_REMOVED_MATCH = `type='signal',sender='${SYSTEMD}',path='${MANAGER_PATH}',interface='${MANAGER}',member='JobRemoved'`;

/** dbus-native's form of a property list `a(sv)`: variants as `[signature, value]`, u64 as decimal strings (exact past 2^53). */
function wireProperties(props: readonly UnitProperty[]): unknown[] {
  return props.map((p) => [p.name, [p.type, wireValue(p.type, p.value)]]);
}
function wireValue(type: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (type === 'ay' && Buffer.isBuffer(v)) return [...v];
  return v;
}

/** systemd's manager over one bus connection; jobs are waited for by their `JobRemoved` signal. */
export class SystemdManager {
  /** Results of jobs that ended, by job object path, kept until claimed (a signal may beat the method reply). */
  private readonly ended = new Map<string, string>();
  private readonly waiters = new Map<string, (result: string) => void>();
  private readonly unsubscribe: () => void;

  private constructor(private readonly bus: DbusConnection) {
    this.unsubscribe = bus.onSignal((s) => {
      if (s.interface !== MANAGER || s.member !== 'JobRemoved') return;
      const [, job, , result] = s.body as [number, string, string, string];
      const w = this.waiters.get(job);
      if (w) {
        this.waiters.delete(job);
        w(result);
      } else this.ended.set(job, result);
    });
  }

  /** Subscribes to job signals (systemd sends them only to subscribed clients once any client asked). */
  static async open(bus: DbusConnection): Promise<SystemdManager> {
    const m = new SystemdManager(bus);
    await bus.call({
      destination: 'org.freedesktop.DBus',
      path: '/org/freedesktop/DBus',
      interface: 'org.freedesktop.DBus',
      member: 'AddMatch',
      signature: 's',
      body: [JOB_REMOVED_MATCH],
    });
    await m.manager('Subscribe');
    return m;
  }

  private manager(member: string, signature?: string, body?: readonly unknown[]): Promise<unknown[]> {
    return this.bus.call({ destination: SYSTEMD, path: MANAGER_PATH, interface: MANAGER, member, ...(signature ? { signature, body } : {}) });
  }

  /** `StartTransientUnit(name, "replace", properties, [])`; resolves with the job path. */
  async startTransientUnit(unit: string, props: readonly UnitProperty[]): Promise<string> {
    const [job] = await this.withUnit(unit, this.manager('StartTransientUnit', 'ssa(sv)a(sa(sv))', [unit, 'replace', wireProperties(props), []]));
    return job as string;
  }

  /** `SetUnitProperties(name, runtime, properties)`: takes effect at once, kept until the unit goes. */
  async setUnitProperties(unit: string, props: readonly UnitProperty[]): Promise<void> {
    if (props.length) await this.withUnit(unit, this.manager('SetUnitProperties', 'sba(sv)', [unit, true, wireProperties(props)]));
  }

  /** `StopUnit(name, "replace")`; resolves with the job path. */
  async stopUnit(unit: string): Promise<string> {
    const [job] = await this.withUnit(unit, this.manager('StopUnit', 'ss', [unit, 'replace']));
    return job as string;
  }

  /** `KillUnit(name, "all", signal)`: systemd signals every process of the unit. */
  async killUnit(unit: string, signal: number): Promise<void> {
    await this.withUnit(unit, this.manager('KillUnit', 'ssi', [unit, 'all', signal]));
  }

  /** `ResetFailedUnit(name)`: a failed unit is forgotten (and, transient, unloaded). */
  async resetFailedUnit(unit: string): Promise<void> {
    await this.withUnit(unit, this.manager('ResetFailedUnit', 's', [unit]));
  }

  /** `AttachProcessesToUnit(name, subcgroup, pids)`: moves processes into a running unit's cgroup. */
  async attachProcesses(unit: string, pids: readonly number[]): Promise<void> {
    await this.withUnit(unit, this.manager('AttachProcessesToUnit', 'ssau', [unit, '/', [...pids]]));
  }

  /** A unit's property, read on its object (`GetUnit` then `Properties.Get`); undefined when the unit is not loaded. */
  async unitProperty(unit: string, iface: string, name: string): Promise<unknown> {
    let path: string;
    try {
      [path] = (await this.manager('GetUnit', 's', [unit])) as [string];
    } catch (e) {
      if (e instanceof SystemdError && e.dbusError === 'org.freedesktop.systemd1.NoSuchUnit') return undefined;
      throw e;
    }
    const [value] = await this.bus.call({
      destination: SYSTEMD,
      path,
      interface: 'org.freedesktop.DBus.Properties',
      member: 'Get',
      signature: 'ss',
      body: [iface, name],
    });
    // dbus-native gives a variant as [[signature tree], [value]].
    return Array.isArray(value) && Array.isArray(value[1]) ? value[1][0] : value;
  }

  /**
   * Waits for `job` to end; resolves with its result (`done`, `failed`,
   * `canceled`, `timeout`, `dependency`, `skipped`).
   * @throws {@link SystemdError} `ETIMEDOUT` when no `JobRemoved` came within `timeoutMs`.
   */
  waitJob(job: string, unit: string, timeoutMs: number): Promise<string> {
    const done = this.ended.get(job);
    if (done !== undefined) {
      this.ended.delete(job);
      return Promise.resolve(done);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(job);
        reject(new SystemdError(`systemd's job ${job} for ${unit} did not end within ${timeoutMs} ms`, { code: 'ETIMEDOUT', unit, path: job }));
      }, timeoutMs);
      this.waiters.set(job, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
  }

  /** Adds the unit's name to a refusal. */
  private async withUnit<T>(unit: string, p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (e instanceof SystemdError && e.unit === undefined)
        throw new SystemdError(`${unit}: ${e.message}`, { code: e.code, unit, dbusError: e.dbusError, cause: e.cause, hint: e.hint });
      throw e;
    }
  }

  /** Stops listening for signals and closes the connection. */
  close(): void {
    this.unsubscribe();
    for (const w of this.waiters.values()) w('canceled');
    this.waiters.clear();
    this.bus.close();
  }
}
