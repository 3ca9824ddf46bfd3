/**
 * podman with `--cgroup-manager=systemd` (every current distro's default)
 * driving kc, with runc 1.1.5 under the same commands as the oracle: update,
 * pause/unpause and checkpoint/restore of a container whose cgroup is a
 * transient scope in machine.slice. Runs in the VM's systemd lane:
 * `bash scripts/vm/test.sh --mode systemd -- packages/container/test/podman-systemd.privileged.test.ts`.
 * run, exec and rm under systemd are in systemd-cgroup.privileged.test.ts;
 * the same cases under the cgroupfs manager in podman*.privileged.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_BUS_SOCKET } from '@kc/cgroups';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '../../../test-support/tools.js';
import { alive } from './crash-helpers.js';
import { KC, makeBundle, probe, tempDir, uniqueId } from './helpers.js';
import { counter, readCount, tokenOf, until } from './podman-counter.js';

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isSocket = (p: string) => existsSync(p) && statSync(p).isSocket();
/** systemd as init (sd_booted(3)) with its system bus, on cgroup v2 alone: what podman's systemd manager needs. */
const systemdWithBus =
  isDir('/run/systemd/system') && isSocket(SYSTEM_BUS_SOCKET) && existsSync('/sys/fs/cgroup/cgroup.controllers') && !existsSync('/sys/fs/cgroup/unified');

/** kc under test; KC_TEST_KC points at a copy of the built package (a VM run outlives other people's rebuilds of dist/). */
const KC_BIN = process.env.KC_TEST_KC || KC;
const RUNTIMES = [
  { name: 'kc', path: KC_BIN },
  { name: 'runc', path: 'runc' },
] as const;
type Runtime = (typeof RUNTIMES)[number];
const LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];
const image = 'localhost/kc-sd-podman-busybox:1';

// Its own storage (the guest sees the host's podman database read-only, with another graph driver); the image from a local tarball only.
let dir = ''; // made in beforeAll: a lane that skips this file leaves nothing behind
const made: [Runtime, string][] = [];

/** podman with `rt` as the OCI runtime and systemd as the cgroup manager. */
function podman(rt: Runtime, ...args: string[]) {
  const flags = ['--root', join(dir, 'store'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs', '--runtime', rt.path];
  const r = spawnSync('podman', [...flags, '--cgroup-manager=systemd', '--events-backend=file', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
function ok(rt: Runtime, ...args: string[]): string {
  const r = podman(rt, ...args);
  expect(r.status, `${rt.name}: podman ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout.trim();
}
function name(rt: Runtime, tag: string): string {
  const n = uniqueId(`${tag}-${rt.name}`);
  made.push([rt, n]);
  return n;
}
const pidOf = (rt: Runtime, n: string) => Number(ok(rt, 'inspect', '--format', '{{.State.Pid}}', n));
/** The container's scope (podman's systemd manager: machine.slice/libpod-<id>.scope). */
const unitOf = (rt: Runtime, n: string) => `libpod-${ok(rt, 'inspect', '--format', '{{.Id}}', n)}.scope`;
const scopeDir = (unit: string) => join('/sys/fs/cgroup/machine.slice', unit);
const cgroupOf = (pid: number) => /^0::(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
/** `systemctl show -p P --value UNIT`. */
const show = (unit: string, prop: string) => spawnSync('systemctl', ['show', '-p', prop, '--value', unit], { encoding: 'utf8' }).stdout.trim();
/** Units systemd has loaded (any state) whose name contains `part`. */
const loadedUnits = (part: string) =>
  spawnSync('systemctl', ['list-units', '--all', '--plain', '--no-legend', '--no-pager', `*${part}*`], { encoding: 'utf8' }).stdout.trim();
const scopeFile = (unit: string, file: string) => readFileSync(join(scopeDir(unit), file), 'utf8').trim();

/** Removes a container and checks that its scope went with it. */
function removeAndCheck(rt: Runtime, n: string, unit: string): void {
  expect(podman(rt, 'rm', '-f', '-t', '0', n).status, `${rt.name}: rm ${n}`).toBe(0);
  expect(loadedUnits(unit), `${rt.name}: ${unit} still loaded`).toBe('');
  expect(existsSync(scopeDir(unit)), `${rt.name}: ${unit}'s cgroup left`).toBe(false);
}

describe.runIf(systemdWithBus && probe.root && probe.busybox && probe.podman && probe.runc)(
  'podman --cgroup-manager=systemd with kc, runc as the oracle (needs systemd as PID 1 on cgroup v2 alone)',
  () => {
    beforeAll(() => {
      dir = tempDir('kc-sd-podman-');
      const b = makeBundle(['true']);
      try {
        expect(spawnSync('tar', ['-C', join(b.bundle, 'rootfs'), '-cf', join(dir, 'rootfs.tar'), '.']).status).toBe(0);
        const imported = podman(RUNTIMES[1], 'import', join(dir, 'rootfs.tar'), image);
        expect(imported.status, imported.stderr).toBe(0);
      } finally {
        b.cleanup();
      }
    });
    afterAll(() => {
      for (const [rt, n] of made) podman(rt, 'rm', '-f', '-t', '0', n); // by the runtime that made it (podman asks that one)
      rmSync(dir, { recursive: true, force: true });
    });

    it('update sets the scope unit properties and files as under runc; pause and unpause freeze and thaw the scope', () => {
      const seen: Partial<Record<Runtime['name'], { props: Record<string, string>; files: Record<string, string> }>> = {};
      for (const rt of RUNTIMES) {
        const n = name(rt, 'upd');
        ok(rt, 'run', '-d', '--name', n, ...LIMITS, '--memory', '64m', image, 'sleep', '1000');
        const unit = unitOf(rt, n);
        expect(cgroupOf(pidOf(rt, n)), rt.name).toBe(`/machine.slice/${unit}`);
        expect(show(unit, 'MemoryMax'), rt.name).toBe(String(64 << 20));

        // podman 4.3's update takes the CPU and memory flags (no --pids-limit).
        ok(rt, 'update', '--memory', '128m', '--cpu-quota', '20000', '--cpu-period', '100000', n);
        seen[rt.name] = {
          props: Object.fromEntries(['MemoryMax', 'CPUQuotaPerSecUSec'].map((p) => [p, show(unit, p)])),
          files: Object.fromEntries(['memory.max', 'cpu.max'].map((f) => [f, scopeFile(unit, f)])),
        };

        ok(rt, 'pause', n);
        expect(ok(rt, 'inspect', '--format', '{{.State.Status}}', n), rt.name).toBe('paused');
        expect(scopeFile(unit, 'cgroup.freeze'), rt.name).toBe('1');
        expect(scopeFile(unit, 'cgroup.events'), rt.name).toMatch(/^frozen 1$/m);
        ok(rt, 'unpause', n);
        expect(ok(rt, 'inspect', '--format', '{{.State.Status}}', n), rt.name).toBe('running');
        expect(scopeFile(unit, 'cgroup.events'), rt.name).toMatch(/^frozen 0$/m);
        removeAndCheck(rt, n, unit);
      }
      expect(seen.kc).toEqual(seen.runc);
      // The values themselves, so that an agreement on nothing cannot pass.
      expect(seen.kc).toEqual({
        props: { MemoryMax: String(128 << 20), CPUQuotaPerSecUSec: '200ms' },
        files: { 'memory.max': String(128 << 20), 'cpu.max': '20000 100000' },
      });
    }, 600_000);

    describe.runIf(tool('criu'))('checkpoint and restore (needs criu)', () => {
      it.each(RUNTIMES)(
        '$name: checkpoint stops the counter; restore continues it in a new scope with the same limits, podman logs keeps receiving',
        async (rt) => {
          const data = tempDir('kc-sd-podman-data-');
          try {
            const n = name(rt, 'ck');
            ok(rt, 'run', '-d', '--name', n, ...LIMITS, '--memory', '64m', '-v', `${data}:/data`, image, 'sh', '-c', counter('/data/count'));
            const count = join(data, 'count');
            await until(count, (c) => c >= 3, 'the counter to start');
            const before = pidOf(rt, n);
            const unit = unitOf(rt, n);

            ok(rt, 'container', 'checkpoint', n);
            expect(ok(rt, 'inspect', '--format', '{{.State.Status}}', n)).toBe('exited');
            expect(alive(before)).toBe(false);
            expect(loadedUnits(unit), 'the dumped container left its scope').toBe('');
            const frozen = readCount(count) as number;
            const token = tokenOf(count);

            ok(rt, 'container', 'restore', n);
            expect(ok(rt, 'inspect', '--format', '{{.State.Status}}', n)).toBe('running');
            const pid = pidOf(rt, n);
            // The restored tree sits in a scope systemd manages again, with the container's limit.
            expect(cgroupOf(pid)).toBe(`/machine.slice/${unit}`);
            expect(show(unit, 'ActiveState')).toBe('active');
            expect(show(unit, 'MemoryMax')).toBe(String(64 << 20));
            expect(scopeFile(unit, 'memory.max')).toBe(String(64 << 20));
            // Continued, not restarted: the same start token, counting on from the checkpointed value.
            const next = await until(count, (c) => c !== frozen, 'the restored counter to move');
            expect(tokenOf(count)).toBe(token);
            expect(next).toBeGreaterThan(frozen);
            // stdout reaches conmon again: frozen + 2 was echoed by the restored process (see podman-checkpoint).
            await until(count, (c) => c >= frozen + 3, 'three more counts');
            expect(ok(rt, 'logs', n).split('\n')).toContain(String(frozen + 2));
            removeAndCheck(rt, n, unit);
          } finally {
            rmSync(data, { recursive: true, force: true });
          }
        },
        600_000,
      );
    });
  },
);
