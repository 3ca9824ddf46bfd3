/**
 * The systemd cgroup driver against a running systemd (the VM's systemd lane:
 * `bash scripts/vm/test.sh --mode systemd -- packages/cgroups/test/systemd.privileged.test.ts`).
 * Oracles: systemd's own view (`systemctl show`, `systemctl list-units`) and
 * the kernel's cgroup files. On a host without systemd as init only the
 * typed "no system bus" error is checked.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CgroupError, createCgroupDriver, SYSTEM_BUS_SOCKET, SystemdCgroup, SystemdError } from '@kc/cgroups';
import { layout, leakedGroups, testPath } from './helpers.js';

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isSocket = (p: string) => existsSync(p) && statSync(p).isSocket();
/** systemd as init (sd_booted(3): /run/systemd/system) with its system D-Bus, on cgroup v2 alone. */
const systemdWithDbus = isDir('/run/systemd/system') && isSocket(SYSTEM_BUS_SOCKET) && layout.mode === 'unified';
const root = layout.unified?.mountPoint ?? '/sys/fs/cgroup';

const children: ChildProcess[] = [];
/** A process to put in a scope: `sleep`, killed after each test if still there. */
function sleeper(): number {
  const c = spawn('sleep', ['1000'], { stdio: 'ignore' });
  children.push(c);
  if (c.pid === undefined) throw new Error('sleep did not start');
  return c.pid;
}
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

const name = () => `t${process.pid}x${Math.random().toString(36).slice(2, 8)}`;
/** `systemctl show -p P --value UNIT`. */
const show = (unit: string, prop: string) => execFileSync('systemctl', ['show', '-p', prop, '--value', unit], { encoding: 'utf8' }).trim();
/** Every unit systemd has loaded whose name contains `part`. */
const loadedUnits = (part: string) =>
  execFileSync('systemctl', ['list-units', '--all', '--plain', '--no-legend', '--no-pager'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((u) => u.includes(part));
const file = (cgPath: string, f: string) => readFileSync(join(root, cgPath, f), 'utf8').trim();

describe('createCgroupDriver with a cgroupfs path', () => {
  it('makes a plain cgroup, moves the pid in, and removes only what it made', async () => {
    const pid = sleeper();
    const path = testPath('driver');
    const d = await createCgroupDriver(path, { pid, resources: layout.controllers.has('pids') ? { pids: { max: 5 } } : {} });
    expect(d.driver).toBe('cgroupfs');
    expect(d.path).toBe(`/${path}`);
    expect(d.cgroup.procs()).toEqual([pid]);
    await d.delete();
    expect(leakedGroups()).toEqual([]);
  });
});

describe.runIf(!systemdWithDbus)('systemd driver without systemd as init with D-Bus', () => {
  it('refuses with a typed UNSUPPORTED error naming the bus socket, after checking the input', async () => {
    await expect(SystemdCgroup.create('system.slice:kc:a:b')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const e = await SystemdCgroup.create(`system.slice:kc:${name()}`, { pid: process.pid }).catch((x: unknown) => x);
    if (process.env.DBUS_SYSTEM_BUS_ADDRESS) return expect(e).toBeInstanceOf(CgroupError);
    expect(e).toBeInstanceOf(CgroupError);
    expect(e).toMatchObject({ code: 'UNSUPPORTED', path: SYSTEM_BUS_SOCKET });
    expect((e as Error).message).toContain('/run/dbus/system_bus_socket');
  });
});

describe.runIf(systemdWithDbus)('systemd driver (needs systemd as init with D-Bus)', () => {
  it('creates a delegated scope with the limits systemd shows and the kernel applies, updates and deletes it', async () => {
    const n = name();
    const pid = sleeper();
    const scope = await SystemdCgroup.create(`system.slice:kc:${n}`, {
      pid,
      resources: {
        memory: { max: 64 << 20, low: 8 << 20, swapMax: 0, oomGroup: true },
        cpu: { weight: 50, quota: 50_000, period: 100_000 },
        cpuset: { cpus: '0', mems: '0' },
        pids: { max: 32 },
        io: { weight: 200 },
      },
    });
    try {
      const unit = `kc-${n}.scope`;
      const cg = `/system.slice/${unit}`;
      expect(scope.unit).toBe(unit);
      expect(scope.path).toBe(cg);
      // systemd's view
      expect(show(unit, 'ActiveState')).toBe('active');
      expect(show(unit, 'Delegate')).toBe('yes');
      expect(show(unit, 'Slice')).toBe('system.slice');
      expect(show(unit, 'MemoryMax')).toBe(String(64 << 20));
      expect(show(unit, 'MemoryLow')).toBe(String(8 << 20));
      expect(show(unit, 'MemorySwapMax')).toBe('0');
      expect(show(unit, 'TasksMax')).toBe('32');
      expect(show(unit, 'CPUWeight')).toBe('50');
      expect(show(unit, 'CPUQuotaPerSecUSec')).toBe('500ms');
      expect(show(unit, 'AllowedCPUs')).toBe('0');
      expect(show(unit, 'AllowedMemoryNodes')).toBe('0');
      expect(show(unit, 'IOWeight')).toBe('200');
      // the kernel's view
      expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim()).toBe(`0::${cg}`);
      expect(file(cg, 'memory.max')).toBe(String(64 << 20));
      expect(file(cg, 'memory.low')).toBe(String(8 << 20));
      expect(file(cg, 'memory.swap.max')).toBe('0');
      expect(file(cg, 'memory.oom.group')).toBe('1'); // no systemd property: written to the delegated file
      expect(file(cg, 'pids.max')).toBe('32');
      expect(file(cg, 'cpu.weight')).toBe('50');
      expect(file(cg, 'cpu.max')).toBe('50000 100000');
      expect(file(cg, 'cpuset.cpus')).toBe('0');
      expect(file(cg, 'cpuset.mems')).toBe('0');
      if (existsSync(join(root, cg, 'io.weight'))) expect(file(cg, 'io.weight')).toBe('default 200');
      expect(file(cg, 'cgroup.controllers').split(' ')).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids']));

      await scope.set({ memory: { max: 32 << 20 }, pids: { max: 16 }, cpu: { quota: 25_000 } });
      expect(show(unit, 'MemoryMax')).toBe(String(32 << 20));
      expect(show(unit, 'TasksMax')).toBe('16');
      expect(file(cg, 'memory.max')).toBe(String(32 << 20));
      expect(file(cg, 'pids.max')).toBe('16');
      expect(file(cg, 'cpu.max')).toBe('25000 100000');
      expect(scope.cgroup.procs()).toEqual([pid]);
    } finally {
      await scope.delete();
    }
    expect(loadedUnits(n)).toEqual([]);
    expect(existsSync(join(root, `system.slice/kc-${n}.scope`))).toBe(false);
    await expect(scope.activeState()).rejects.toBeInstanceOf(Error); // the connection is closed with the handle
  });

  it('delete SIGKILLs through systemd, so a process that ignores SIGTERM does not hold the stop', async () => {
    const n = name();
    const c = spawn('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(c);
    await new Promise((r) => c.stdout?.once('data', r)); // the trap is set
    const exited = new Promise((r) => c.once('exit', (_code, signal) => r(signal)));
    const scope = await SystemdCgroup.create(`system.slice:kc:${n}`, { pid: c.pid as number });
    await scope.delete(); // systemd's default stop would wait 90 s (TimeoutStopSec) for SIGTERM, beyond the test timeout
    expect(await exited).toBe('SIGKILL');
    expect(loadedUnits(n)).toEqual([]);
  });

  it('rounds a CPU quota up to systemd 10 ms-per-second steps, in both views', async () => {
    const n = name();
    await using scope = await SystemdCgroup.create(`system.slice:kc:${n}`, { pid: sleeper(), resources: { cpu: { quota: 12_345, period: 100_000 } } });
    expect(show(scope.unit, 'CPUQuotaPerSecUSec')).toBe('130ms');
    expect(file(scope.path, 'cpu.max')).toBe('13000 100000');
  });

  it('puts device rules in DevicePolicy/DeviceAllow', async () => {
    const n = name();
    await using scope = await SystemdCgroup.create(`system.slice:kc:${n}`, {
      pid: sleeper(),
      resources: {
        devices: [
          { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' },
          { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' },
        ],
      },
    });
    expect(show(scope.unit, 'DevicePolicy')).toBe('strict');
    expect(show(scope.unit, 'DeviceAllow')).toBe('/dev/char/1:3 rw');
  });

  it('makes a missing slice and removes it again with the scope', async () => {
    const n = name();
    const slice = `kctest${n}.slice`; // no dash: systemd would nest it in kc.slice
    expect(loadedUnits(slice)).toEqual([]);
    const scope = await SystemdCgroup.create(`${slice}:kc:${n}`, { pid: sleeper() });
    expect(scope.path).toBe(`/${slice}/kc-${n}.scope`);
    expect(show(slice, 'ActiveState')).toBe('active');
    await scope.delete();
    expect(loadedUnits(n)).toEqual([]);
  });

  it('createCgroupDriver picks systemd for slice:prefix:name', async () => {
    const n = name();
    await using d = await createCgroupDriver(`system.slice:kc:${n}`, { pid: sleeper(), resources: { pids: { max: 7 } } });
    expect(d.driver).toBe('systemd');
    expect(show(`kc-${n}.scope`, 'TasksMax')).toBe('7');
    const second = sleeper();
    await d.addProcess(second); // AttachProcessesToUnit
    expect(readFileSync(`/proc/${second}/cgroup`, 'utf8').trim()).toBe(`0::/system.slice/kc-${n}.scope`);
  });

  it('leaves no unit after a failed create (systemd refuses a pid that does not exist), typed', async () => {
    const n = name();
    const c = spawn('true');
    const gone = c.pid as number;
    await new Promise((r) => c.once('exit', r));
    const e = await SystemdCgroup.create(`system.slice:kc:${n}`, { pid: gone }).catch((x: unknown) => x);
    // systemd refuses the PIDs property: "Process with ID N does not exist."
    expect(e).toBeInstanceOf(SystemdError);
    expect(e).toMatchObject({ code: 'SYSTEMD_REFUSED', unit: `kc-${n}.scope`, dbusError: 'org.freedesktop.DBus.Error.UnixProcessIdUnknown' });
    expect(loadedUnits(n)).toEqual([]);
  });

  it('stops the unit again when a file limit fails after systemd started it (the kernel refuses misc.max of an unknown resource)', async () => {
    const n = name();
    const pid = sleeper();
    const e = await SystemdCgroup.create(`system.slice:kc:${n}`, { pid, resources: { pids: { max: 9 }, misc: { kc_no_such_resource: 1 } } }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(CgroupError);
    expect(e).not.toBeInstanceOf(SystemdError);
    expect((e as CgroupError).path).toMatch(/misc\.max$/);
    expect(loadedUnits(n)).toEqual([]);
    expect(existsSync(join(root, `system.slice/kc-${n}.scope`))).toBe(false);
  });

  it('leaves no unit when systemd refuses the scope for having no process, typed', async () => {
    const n = name();
    const e = await SystemdCgroup.create(`system.slice:kc:${n}`).catch((x: unknown) => x);
    // systemd 252: "Unit ... failed to load properly ...: No such file or directory" (scope_verify: no PIDs)
    expect(e).toBeInstanceOf(SystemdError);
    expect(e).toMatchObject({ code: 'SYSTEMD_REFUSED', unit: `kc-${n}.scope`, dbusError: 'org.freedesktop.DBus.Error.FileNotFound' });
    expect((e as SystemdError).hint).toMatch(/pid/);
    expect(loadedUnits(n)).toEqual([]);
  });

  it('refuses malformed paths and slice names systemd would refuse before creating anything', async () => {
    const n = name();
    for (const bad of [
      `kc:${n}`,
      `system.slice:kc:${n}:x`,
      `a--b.slice:kc:${n}`,
      `-a.slice:kc:${n}`,
      `system.service:kc:${n}`,
      `system.slice:kc:${n}/x`,
      `system.slice:k c:${n}`,
    ]) {
      const e = await SystemdCgroup.create(bad, { pid: sleeper() }).catch((x: unknown) => x);
      expect(e, bad).toBeInstanceOf(CgroupError);
      expect((e as CgroupError).code, bad).toBe('INVALID_ARGUMENT');
    }
    expect(loadedUnits(n)).toEqual([]);
  });
});
