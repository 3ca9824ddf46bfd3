/**
 * containerd 1.6 drives kc through its runc shim (containerd-shim-runc-v2,
 * `ctr run --runc-binary kc`), issue #15. The test runs its own containerd
 * (own root, state and socket; never the host's), imports a busybox image
 * built here (no registry), and checks every task operation from outside
 * (output, exit codes, freezer files, /proc) with runc as the oracle. In the
 * systemd VM lane it adds the systemd cgroup driver:
 * `bash scripts/vm/test.sh --mode systemd -- packages/container/test/containerd.privileged.test.ts`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_BUS_SOCKET } from '@kc/cgroups';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerd, type TestContainerd } from './containerd-daemon.js';
import { waitUntil } from './crash-helpers.js';
import { KC, probe, tempDir, UNIFIED_ROOT } from './helpers.js';

/** kc under test; KC_TEST_KC points at a copy of the built package (a VM run outlives other people's rebuilds of dist/). */
const KC_BIN = process.env.KC_TEST_KC || KC;
const runtimes = { runc: 'runc', kc: KC_BIN } as const;
type Side = keyof typeof runtimes;

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isSocket = (p: string) => existsSync(p) && statSync(p).isSocket();
/** systemd as init (sd_booted(3)) with its system bus, on cgroup v2 alone (runc's and kc's systemd driver layout). */
const systemdWithBus =
  isDir('/run/systemd/system') && isSocket(SYSTEM_BUS_SOCKET) && existsSync('/sys/fs/cgroup/cgroup.controllers') && !existsSync('/sys/fs/cgroup/unified');
/** A v1 freezer hierarchy: the default cgroupfs path's freezer lives there; otherwise in cgroup2. */
const v1Freezer = existsSync('/sys/fs/cgroup/freezer/cgroup.procs');

const dir = tempDir('kc-containerd-');
// A namespace of our own: containerd names default cgroups /<namespace>/<id>, which we remove after.
const ns = `kc-test-${process.pid}`;
let cd: TestContainerd | undefined;
const sock = join(dir, 'containerd.sock');
const image = `localhost/kc-busybox:${process.pid}`;
// The 1.6 shim puts its socket under /run/containerd/s whatever --state says; we remove the dirs if we made them.
const shimDirs = ['/run/containerd/s', '/run/containerd'].filter((p) => !existsSync(p));

function ctr(args: string[], timeout = 60_000) {
  if (!cd) throw new Error('containerd is not running');
  return cd.ctr(args, timeout);
}
/** `ctr run` options for one runtime: its binary and a runc root under our temp dir. */
const runOpts = (side: Side) => ['--runc-binary', runtimes[side], '--runc-root', join(dir, `runc-root-${side}`), '--fifo-dir', join(dir, 'fifo')];
/** The STATUS column of `ctr task ls` for `id`, or undefined when there is no such task. */
const taskStatus = (id: string) =>
  ctr(['task', 'ls'])
    .stdout.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[0] === id)?.[2];
const taskPid = (id: string) =>
  Number(
    ctr(['task', 'ls'])
      .stdout.split('\n')
      .find((l) => l.startsWith(`${id} `))
      ?.trim()
      .split(/\s+/)[1],
  );
/** Processes whose command line names our socket and this container: its shim, if any is left. */
const shimsOf = (id: string) =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return argv.includes(sock) && argv.includes(id);
      } catch {
        return false;
      }
    });
/** The freezer state of a task's default cgroup, read from the kernel's files. */
function frozen(id: string): boolean {
  if (v1Freezer) return readFileSync(join('/sys/fs/cgroup/freezer', ns, id, 'freezer.state'), 'utf8').trim() === 'FROZEN';
  return /^frozen 1$/m.test(readFileSync(join(UNIFIED_ROOT, ns, id, 'cgroup.events'), 'utf8'));
}
/** Removes the cgroup `<hierarchy>/<ns>` parents runc and kc created (they leave the parents, as runc does). */
function removeNamespaceCgroups(): void {
  for (const h of existsSync('/sys/fs/cgroup/unified') ? readdirSync('/sys/fs/cgroup') : ['.']) {
    const p = join('/sys/fs/cgroup', h, ns);
    if (isDir(p)) rmdirSync(p);
  }
}

describe.runIf(probe.root)('containerd drives kc through the runc shim (needs root)', () => {
  beforeAll(async () => {
    cd = await startContainerd(dir, ns);
    expect([cd.sock, cd.image]).toEqual([sock, image]);
  }, 120_000);

  afterAll(async () => {
    try {
      // A failed test may leave its task: stop() deletes what is left, so no shim and no cgroup stay behind,
      // and nothing of containerd's may stay mounted (snapshots, shim rootfs) once it is gone.
      const mounts = cd ? await cd.stop() : [];
      expect(mounts).toEqual([]);
    } finally {
      removeNamespaceCgroups();
      for (const p of shimDirs) if (isDir(p) && readdirSync(p).length === 0) rmdirSync(p);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  describe.each(['runc', 'kc'] as const)('under %s', (side) => {
    it('run --rm prints the output and passes exit codes 3 and 0 through', () => {
      const id = `${side}-rm-${process.pid}`;
      const three = ctr(['run', '--rm', ...runOpts(side), image, id, '/bin/sh', '-c', 'echo hi; exit 3']);
      expect(three.stdout).toBe('hi\n');
      expect(three.status, three.stderr).toBe(3);
      const zero = ctr(['run', '--rm', ...runOpts(side), image, `${id}-0`, '/bin/sh', '-c', 'echo ok']);
      expect(zero.stdout).toBe('ok\n');
      expect(zero.status, zero.stderr).toBe(0);
      expect(taskStatus(id)).toBeUndefined();
      expect(ctr(['container', 'ls', '-q']).stdout).not.toContain(id);
    });

    it('a detached task takes exec, ps, pause/resume, metrics and kill (137), and delete leaves nothing', async () => {
      const id = `${side}-d-${process.pid}`;
      const run = ctr(['run', '-d', ...runOpts(side), image, id, 'sleep', '1000']);
      expect(run.status, run.stderr).toBe(0);
      expect(taskStatus(id)).toBe('RUNNING');
      const pid = taskPid(id);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('sleep\x001000\x00');

      const exec = ctr(['task', 'exec', '--exec-id', 'e1', '--fifo-dir', join(dir, 'fifo'), id, 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; exit 4']);
      expect(exec.stdout).toBe('sleep 1000 \n');
      expect(exec.status, exec.stderr).toBe(4);

      const ps = ctr(['task', 'ps', id]);
      expect(ps.status, ps.stderr).toBe(0);
      expect(ps.stdout.split('\n').map((l) => l.split(/\s+/)[0])).toContain(String(pid));

      expect(ctr(['task', 'pause', id]).status).toBe(0);
      expect(taskStatus(id)).toBe('PAUSED');
      expect(frozen(id)).toBe(true);
      expect(ctr(['task', 'resume', id]).status).toBe(0);
      expect(taskStatus(id)).toBe('RUNNING');
      expect(frozen(id)).toBe(false);

      const metrics = ctr(['task', 'metrics', id]);
      expect(metrics.status, metrics.stderr).toBe(0);
      expect(metrics.stdout).toMatch(/^pids\.current\s+1\s*$/m);

      expect(ctr(['task', 'kill', '-s', 'SIGKILL', id]).status).toBe(0);
      await waitUntil(() => taskStatus(id) === 'STOPPED', `${id} is stopped`);
      const del = ctr(['task', 'delete', id]);
      expect(del.status, del.stderr).toBe(0);
      expect(del.stderr).toMatch(/exit code 137/);
      expect(ctr(['container', 'rm', id]).status).toBe(0);

      expect(taskStatus(id)).toBeUndefined();
      expect(existsSync(`/proc/${pid}`)).toBe(false);
      await waitUntil(() => shimsOf(id).length === 0, `the shim of ${id} has exited`);
      const cgroups = (v1Freezer ? ['/sys/fs/cgroup/freezer', '/sys/fs/cgroup/memory'] : [UNIFIED_ROOT]).map((h) => join(h, ns, id));
      expect(cgroups.filter(existsSync)).toEqual([]);
      expect(existsSync(join(dir, `runc-root-${side}`, id))).toBe(false);
    }, 60_000);

    // runc and kc read `slice:prefix:name` as the transient unit prefix-name.scope in slice (ctr passes --cgroup as cgroupsPath).
    it.runIf(systemdWithBus)(
      '--runc-systemd-cgroup puts the task in a transient scope, gone after delete (needs systemd as PID 1 with the system bus)',
      async () => {
        const id = `${side}-sd-${process.pid}`;
        const unit = `kc-ctr-${id}.scope`;
        const sd = ['--runc-systemd-cgroup', '--cgroup', `system.slice:kc-ctr:${id}`];
        const rm = ctr(['run', '--rm', ...runOpts(side), ...sd, image, `${id}-rm`, '/bin/sh', '-c', 'echo hi; exit 3']);
        expect(rm.stdout).toBe('hi\n');
        expect(rm.status, rm.stderr).toBe(3);

        const run = ctr(['run', '-d', ...runOpts(side), ...sd, image, id, 'sleep', '1000']);
        expect(run.status, run.stderr).toBe(0);
        const pid = taskPid(id);
        expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toBe(`0::/system.slice/${unit}\n`);
        const show = spawnSync('systemctl', ['show', '-p', 'ActiveState', '--value', unit], { encoding: 'utf8' });
        expect(show.stdout.trim()).toBe('active');
        expect(readFileSync(`/sys/fs/cgroup/system.slice/${unit}/cgroup.procs`, 'utf8').split('\n')).toContain(String(pid));

        expect(ctr(['task', 'pause', id]).status).toBe(0);
        expect(readFileSync(`/sys/fs/cgroup/system.slice/${unit}/cgroup.events`, 'utf8')).toMatch(/^frozen 1$/m);
        expect(ctr(['task', 'resume', id]).status).toBe(0);
        expect(readFileSync(`/sys/fs/cgroup/system.slice/${unit}/cgroup.events`, 'utf8')).toMatch(/^frozen 0$/m);
        const metrics = ctr(['task', 'metrics', id]);
        expect(metrics.status, metrics.stderr).toBe(0);
        expect(metrics.stdout).toMatch(/^pids\.current\s+1\s*$/m);

        expect(ctr(['task', 'kill', '-s', 'SIGKILL', id]).status).toBe(0);
        await waitUntil(() => taskStatus(id) === 'STOPPED', `${id} is stopped`);
        expect(ctr(['task', 'delete', id]).stderr).toMatch(/exit code 137/);
        expect(ctr(['container', 'rm', id]).status).toBe(0);
        await waitUntil(() => !existsSync(`/sys/fs/cgroup/system.slice/${unit}`), `${unit} is gone`);
        const load = spawnSync('systemctl', ['show', '-p', 'ActiveState', '--value', unit], { encoding: 'utf8' });
        expect(load.stdout.trim()).toBe('inactive');
        await waitUntil(() => shimsOf(id).length === 0, `the shim of ${id} has exited`);
      },
      90_000,
    );
  });
});
