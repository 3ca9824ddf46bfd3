/**
 * kc with the systemd cgroup driver (issue #15): a `slice:prefix:name`
 * cgroupsPath, or the global `--systemd-cgroup`, makes the container's cgroup
 * a transient scope. Runs in the VM's systemd lane:
 * `bash scripts/vm/test.sh --mode systemd -- packages/container/test/systemd-cgroup.privileged.test.ts`.
 * Oracles: runc 1.1.5 `--systemd-cgroup` with the same bundle, systemd's own
 * view (`systemctl show`, `systemctl list-units`) and the kernel's files.
 * Elsewhere (no systemd as init, or cgroup v1 mounted) only the typed refusal
 * that leaves nothing behind is checked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_BUS_SOCKET } from '@kc/cgroups';
import { afterAll, describe, expect, it } from 'vitest';
import { cgroupLimits } from './cgroup-limits.js';
import { waitUntil } from './crash-helpers.js';
import { KC, makeBundle, tempDir, uniqueId } from './helpers.js';

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isSocket = (p: string) => existsSync(p) && statSync(p).isSocket();
/** systemd as init (sd_booted(3): /run/systemd/system) with its system bus, on cgroup v2 alone (the driver's only layout). */
const systemdWithBus =
  isDir('/run/systemd/system') && isSocket(SYSTEM_BUS_SOCKET) && existsSync('/sys/fs/cgroup/cgroup.controllers') && !existsSync('/sys/fs/cgroup/unified');

const stateRoots = { kc: tempDir('kc-sd-root-'), runc: tempDir('kc-sd-runc-') };
type Side = keyof typeof stateRoots;
/** kc under test; KC_TEST_KC points at a copy of the built package (a VM run outlives other people's rebuilds of dist/ in a shared tree). */
const KC_BIN = process.env.KC_TEST_KC || KC;
const tool = { kc: KC_BIN, runc: 'runc' } as const;
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.splice(0).reverse()) c();
  for (const r of Object.values(stateRoots)) rmSync(r, { recursive: true, force: true });
});

/** Runs kc or runc (runc always with `--systemd-cgroup`: 1.1 reads the slice form only with it). */
function cli(side: Side, args: string[], opts: { detached?: boolean; systemd?: boolean } = {}) {
  const globals = ['--root', stateRoots[side], ...(side === 'runc' || opts.systemd ? ['--systemd-cgroup'] : [])];
  const r = spawnSync(tool[side], [...globals, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    stdio: opts.detached ? 'ignore' : ['ignore', 'pipe', 'pipe'],
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const stateOf = (side: Side, id: string) => JSON.parse(cli(side, ['state', id]).stdout) as { pid: number; status: string };
const deleteQuietly = (side: Side, id: string) => () => void cli(side, ['delete', '--force', id]);

/** `systemctl show -p P --value UNIT`. */
const show = (unit: string, prop: string) => spawnSync('systemctl', ['show', '-p', prop, '--value', unit], { encoding: 'utf8' }).stdout.trim();
/** Units systemd has loaded (any state) whose name contains `part`. */
const loadedUnits = (part: string) =>
  spawnSync('systemctl', ['list-units', '--all', '--plain', '--no-legend', '--no-pager', 'kc-*'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((u) => u.includes(part));
/** The v2 line of /proc/PID/cgroup: the path of the process's cgroup. */
const cgroupOf = (pid: number) => /^0::(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
const scopeDir = (unit: string) => join('/sys/fs/cgroup/system.slice', unit);
/** Properties a container's limits become (runc's v2 systemd driver sets the same ones). */
const PROPS = ['MemoryMax', 'MemoryLow', 'TasksMax', 'CPUWeight', 'CPUQuotaPerSecUSec', 'AllowedCPUs', 'Delegate', 'Slice', 'ActiveState'];
const RESOURCES = {
  memory: { limit: 64 << 20, reservation: 8 << 20 },
  cpu: { shares: 512, quota: 50_000, period: 100_000, cpus: '0' },
  pids: { limit: 32 },
};

describe.runIf(!systemdWithBus)('systemd cgroups without systemd as PID 1 with the system bus (cgroup v2 alone)', () => {
  it('kc --systemd-cgroup create refuses with a typed error and leaves no record and no cgroup', () => {
    const b = makeBundle(['sleep', '1000']);
    cleanups.push(b.cleanup);
    const id = uniqueId('nosd');
    cleanups.push(deleteQuietly('kc', id));
    const r = cli('kc', ['create', '--bundle', b.bundle, id], { systemd: true });
    expect(r.status).toBe(1);
    // A hybrid or legacy host: refused before anything is made; a unified one without systemd: no system bus.
    expect(r.stderr).toMatch(/needs cgroup v2 alone|system_bus_socket|system bus/);
    expect(existsSync(join(stateRoots.kc, id))).toBe(false);
    expect(existsSync(scopeDir(`kc-${id}.scope`))).toBe(false);
  });
});

describe.runIf(systemdWithBus)('systemd cgroups (needs systemd as PID 1 with the system bus)', () => {
  it('puts the container in the same scope, with the same unit properties and cgroup files, as runc --systemd-cgroup', () => {
    const names = { kc: uniqueId('sdk'), runc: uniqueId('sdr') };
    const units = { kc: `kc-${names.kc}.scope`, runc: `kc-${names.runc}.scope` };
    const seen: Record<Side, { cgroup: string | undefined; props: Record<string, string>; files: Record<string, string> }> = {} as never;
    for (const side of ['runc', 'kc'] as const) {
      const b = makeBundle(['sleep', '1000'], (c) => {
        c.linux = { ...c.linux, cgroupsPath: `system.slice:kc:${names[side]}`, resources: { ...c.linux?.resources, ...RESOURCES } };
      });
      cleanups.push(b.cleanup);
      cleanups.push(deleteQuietly(side, names[side]));
      const r = cli(side, ['create', '--bundle', b.bundle, names[side]], { detached: true });
      expect(r.status, side).toBe(0);
      expect(cli(side, ['start', names[side]]).status, side).toBe(0);
      const pid = stateOf(side, names[side]).pid;
      seen[side] = {
        cgroup: cgroupOf(pid)?.replace(names[side], 'ID'),
        props: Object.fromEntries(PROPS.map((p) => [p, show(units[side], p)])),
        files: cgroupLimits(pid),
      };
    }
    expect(seen.kc.cgroup).toBe('/system.slice/kc-ID.scope');
    // cpu.shares → weight is the one known difference: runc 1.1 maps linearly (512 → 20), @kc/cgroups as runc 1.2+ and
    // crun do (512 → 59, 1024 → 100). Everything else must agree; kc's unit and file must agree with each other.
    const withoutWeight = (v: (typeof seen)[Side]) => ({
      ...v,
      props: { ...v.props, CPUWeight: undefined },
      files: { ...v.files, 'cpu.weight': undefined },
    });
    expect(withoutWeight(seen.kc)).toEqual(withoutWeight(seen.runc));
    expect(seen.runc.props.CPUWeight).toBe('20');
    expect(seen.kc.props.CPUWeight).toBe(seen.kc.files['cpu.weight']);
    // The values themselves, so that an agreement on nothing cannot pass.
    expect(seen.kc.props).toMatchObject({
      MemoryMax: String(64 << 20),
      TasksMax: '32',
      CPUWeight: '59',
      CPUQuotaPerSecUSec: '500ms',
      Delegate: 'yes',
      ActiveState: 'active',
    });
    expect(seen.kc.files).toMatchObject({ 'memory.max': String(64 << 20), 'pids.max': '32', 'cpu.max': '50000 100000', 'cpu.weight': '59' });

    // update goes through systemd (SetUnitProperties) for both: the unit and the files agree again.
    for (const side of ['runc', 'kc'] as const) {
      const r = cli(side, ['update', '--memory', '128M', '--pids-limit', '20', '--cpu-quota', '20000', names[side]]);
      expect(r.status, `${side}: ${r.stderr}`).toBe(0);
    }
    const after = (side: Side) => ({
      props: Object.fromEntries(['MemoryMax', 'TasksMax', 'CPUQuotaPerSecUSec'].map((p) => [p, show(units[side], p)])),
      files: { ...cgroupLimits(stateOf(side, names[side]).pid), 'cpu.weight': undefined }, // the shares mapping, above
    });
    expect(after('kc')).toEqual(after('runc'));
    expect(after('kc').props).toEqual({ MemoryMax: String(128 << 20), TasksMax: '20', CPUQuotaPerSecUSec: '200ms' });

    // pause, resume and ps work on the scope's files.
    expect(cli('kc', ['pause', names.kc]).status).toBe(0);
    expect(readFileSync(join(scopeDir(units.kc), 'cgroup.freeze'), 'utf8').trim()).toBe('1');
    expect(stateOf('kc', names.kc).status).toBe('paused');
    expect(cli('kc', ['resume', names.kc]).status).toBe(0);
    expect(readFileSync(join(scopeDir(units.kc), 'cgroup.freeze'), 'utf8').trim()).toBe('0');
    const pid = stateOf('kc', names.kc).pid;
    expect(JSON.parse(cli('kc', ['ps', '--format', 'json', names.kc]).stdout)).toEqual([pid]);

    // delete stops the unit: nothing is left loaded, and systemd removed the cgroup.
    for (const side of ['runc', 'kc'] as const) {
      expect(cli(side, ['delete', '--force', names[side]]).status, side).toBe(0);
      expect(loadedUnits(names[side]), side).toEqual([]);
      expect(existsSync(scopeDir(units[side])), side).toBe(false);
    }
  }, 300_000); // two runtimes, two containers, eight CLI calls each: over a minute under the VM lane's emulation

  it('kc --systemd-cgroup run with a plain id uses system.slice:kc:<id>; a non-slice path is refused as runc does', () => {
    const id = uniqueId('sdrun');
    const b = makeBundle(['sleep', '1000']);
    cleanups.push(b.cleanup);
    cleanups.push(deleteQuietly('kc', id));
    expect(cli('kc', ['run', '--detach', '--bundle', b.bundle, id], { systemd: true, detached: true }).status).toBe(0);
    const pid = stateOf('kc', id).pid;
    expect(cgroupOf(pid)).toBe(`/system.slice/kc-${id}.scope`);
    expect(show(`kc-${id}.scope`, 'ActiveState')).toBe('active');
    // Only the container is in the scope: the process the scope was started with is gone.
    expect(readFileSync(join(scopeDir(`kc-${id}.scope`), 'cgroup.procs'), 'utf8').trim()).toBe(String(pid));
    expect(cli('kc', ['delete', '--force', id]).status).toBe(0);
    expect(loadedUnits(id)).toEqual([]);

    const bad = makeBundle(['true'], (c) => {
      c.linux = { ...c.linux, cgroupsPath: '/kc/plain' };
    });
    cleanups.push(bad.cleanup);
    const badId = uniqueId('sdbad');
    const refused = {
      kc: cli('kc', ['create', '--bundle', bad.bundle, badId], { systemd: true }),
      runc: cli('runc', ['create', '--bundle', bad.bundle, badId]),
    };
    expect(refused.runc.status).not.toBe(0);
    expect(refused.runc.stderr).toMatch(/slice:prefix:name/);
    expect(refused.kc.status).toBe(1);
    expect(refused.kc.stderr).toMatch(/linux\.cgroupsPath: expected the form "slice:prefix:name"/);
    expect(existsSync(join(stateRoots.kc, badId))).toBe(false);
  }, 180_000);

  it('a create that fails after the scope started (a failing prestart hook, a missing program) leaves no unit and no cgroup', () => {
    const cases = {
      hook: (id: string) =>
        makeBundle(['sleep', '1000'], (c) => {
          c.linux = { ...c.linux, cgroupsPath: `system.slice:kc:${id}` };
          c.hooks = { prestart: [{ path: '/bin/false' }] };
        }),
      missing: (id: string) =>
        makeBundle(['/no/such/program'], (c) => {
          c.linux = { ...c.linux, cgroupsPath: `system.slice:kc:${id}` };
        }),
    };
    for (const [name, bundleOf] of Object.entries(cases)) {
      const id = uniqueId(`sdfail${name}`);
      const b = bundleOf(id);
      cleanups.push(b.cleanup);
      cleanups.push(deleteQuietly('kc', id));
      const r = cli('kc', ['run', '--bundle', b.bundle, id]);
      expect(r.status, name).not.toBe(0);
      expect(existsSync(join(stateRoots.kc, id)), name).toBe(false);
      expect(loadedUnits(id), name).toEqual([]);
      expect(existsSync(scopeDir(`kc-${id}.scope`)), name).toBe(false);
    }
  }, 180_000);

  it('a kc killed after the scope started leaves a record that delete --force clears, and no unit', async () => {
    for (const stage of ['create:cgroup', 'create:spawned']) {
      const id = uniqueId('sdcrash');
      const b = makeBundle(['sleep', '1000'], (c) => {
        c.linux = { ...c.linux, cgroupsPath: `system.slice:kc:${id}` };
      });
      cleanups.push(b.cleanup);
      cleanups.push(deleteQuietly('kc', id));
      const r = spawnSync(KC_BIN, ['--root', stateRoots.kc, 'create', '--bundle', b.bundle, id], {
        env: { ...process.env, KC_TEST_CRASH_AT: stage },
        stdio: 'ignore',
        timeout: 60_000,
      });
      expect(r.signal, stage).toBe('SIGKILL');
      const record = JSON.parse(readFileSync(join(stateRoots.kc, id, 'state.json'), 'utf8'));
      expect(record.systemdScope, stage).toEqual({ path: `system.slice:kc:${id}`, unit: `kc-${id}.scope` });
      // kc's end of the hand-off socket closed with it: the processes holding the scope exit, and systemd collects the empty scope.
      await waitUntil(() => loadedUnits(id).length === 0, `${stage}: systemd collected kc-${id}.scope`);
      const d = cli('kc', ['delete', '--force', id]);
      expect(d.status, `${stage}: ${d.stderr}`).toBe(0);
      expect(
        readdirSync(stateRoots.kc).filter((d) => d.includes(id)),
        stage,
      ).toEqual([]);
      expect(existsSync(scopeDir(`kc-${id}.scope`)), stage).toBe(false);
    }
  }, 180_000);

  it('podman --cgroup-manager=systemd drives kc: its scope in machine.slice, limits as unit properties, no unit after rm', () => {
    const dir = tempDir('kc-sd-podman-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // Its own storage (the guest sees the host's podman database read-only, with another graph driver); images from a local tarball only.
    const podman = (...args: string[]) => {
      const flags = ['--root', join(dir, 'store'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs', '--runtime', KC_BIN];
      const r = spawnSync('podman', [...flags, '--cgroup-manager=systemd', '--events-backend=file', ...args], { encoding: 'utf8', timeout: 120_000 });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    };
    const b = makeBundle(['true']);
    cleanups.push(b.cleanup);
    expect(spawnSync('tar', ['-C', join(b.bundle, 'rootfs'), '-cf', join(dir, 'rootfs.tar'), '.']).status).toBe(0);
    const imported = podman('import', join(dir, 'rootfs.tar'), 'localhost/kc-sd-busybox:1');
    expect(imported.status, imported.stderr).toBe(0);
    const name = uniqueId('sdpod');
    cleanups.push(() => void podman('rm', '-f', name));
    const limits = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096', '--memory', '64m', '--pids-limit', '30'];
    const run = podman('run', '-d', '--name', name, ...limits, 'localhost/kc-sd-busybox:1', 'sleep', '1000');
    expect(run.status, run.stderr).toBe(0);
    const id = run.stdout.trim();
    const unit = `libpod-${id}.scope`;
    const pid = Number(podman('inspect', '--format', '{{.State.Pid}}', name).stdout.trim());
    expect(cgroupOf(pid)).toBe(`/machine.slice/${unit}`);
    expect(show(unit, 'MemoryMax')).toBe(String(64 << 20));
    expect(show(unit, 'TasksMax')).toBe('30');
    expect(readFileSync(join('/sys/fs/cgroup/machine.slice', unit, 'memory.max'), 'utf8').trim()).toBe(String(64 << 20));
    expect(podman('exec', name, 'echo', 'exec ok').stdout).toBe('exec ok\n');
    expect(podman('rm', '-f', '-t', '0', name).status).toBe(0);
    const left = spawnSync('systemctl', ['list-units', '--all', '--plain', '--no-legend', '--no-pager', `*${id}*`], { encoding: 'utf8' }).stdout.trim();
    expect(left).toBe('');
  }, 300_000);
});
