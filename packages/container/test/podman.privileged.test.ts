import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildBusyboxRootfs } from '@kc/container';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupLimits } from './cgroup-limits.js';
import { KC, probe, tempDir, uniqueId } from './helpers.js';

// podman on this machine: cgroupfs manager, file events, and rlimits no higher than the hard limits (DESIGN.md).
const PODMAN = ['--runtime', KC, '--cgroup-manager=cgroupfs', '--events-backend=file'];
const LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];
const image = `localhost/kc-test-busybox:${process.pid}`;
const names: string[] = [];

function podman(...args: string[]) {
  const r = spawnSync('podman', [...PODMAN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function name(tag: string): string {
  const n = uniqueId(tag);
  names.push(n);
  return n;
}

describe.runIf(probe.root && probe.busybox && probe.podman)('podman drives kc as its OCI runtime (needs root, podman, busybox-static)', () => {
  beforeAll(() => {
    const dir = tempDir('kc-podman-img-');
    try {
      buildBusyboxRootfs(join(dir, 'rootfs'));
      const tar = spawnSync('tar', ['-C', join(dir, 'rootfs'), '-cf', join(dir, 'rootfs.tar'), '.']);
      expect(tar.status).toBe(0);
      const imp = spawnSync('podman', ['import', join(dir, 'rootfs.tar'), image], { encoding: 'utf8' });
      expect(imp.status, imp.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(() => {
    for (const n of names) spawnSync('podman', [...PODMAN, 'rm', '-f', n]);
    spawnSync('podman', ['rmi', '-f', image]);
  });

  it('run --rm prints the output and passes the exit code through', () => {
    const r = podman('run', '--rm', '--name', name('run'), ...LIMITS, image, 'sh', '-c', 'echo hello from kc; grep Seccomp: /proc/self/status; exit 5');
    expect(r.stdout).toMatch(/hello from kc\nSeccomp:\s+2\n/);
    expect(r.status, r.stderr).toBe(5);
  });

  it('exec runs in the container, pause/unpause freeze it, stop ends it', () => {
    const n = name('life');
    const run = podman('run', '-d', '--name', n, ...LIMITS, image, 'sleep', '1000');
    expect(run.status, run.stderr).toBe(0);
    const exec = podman('exec', n, 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; hostname');
    expect(exec.status, exec.stderr).toBe(0);
    expect(exec.stdout).toMatch(/^sleep 1000 \n/);
    expect(podman('pause', n).status).toBe(0);
    expect(podman('inspect', '--format', '{{.State.Status}}', n).stdout.trim()).toBe('paused');
    expect(podman('unpause', n).status).toBe(0);
    expect(podman('inspect', '--format', '{{.State.Status}}', n).stdout.trim()).toBe('running');
    const stop = podman('stop', '-t', '1', n);
    expect(stop.status, stop.stderr).toBe(0);
    expect(podman('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', n).stdout.trim()).toBe('exited 137');
    expect(podman('rm', n).status).toBe(0);
  });

  it('reports a missing program with exit code 127 and leaves no cgroup', () => {
    const n = name('miss');
    const cid = join(tempDir('kc-cid-'), 'cid');
    const r = podman('run', '--rm', '--cidfile', cid, '--name', n, ...LIMITS, image, '/no/such/program');
    expect(r.status).toBe(127);
    const id = readFileSync(cid, 'utf8').trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(`/sys/fs/cgroup/memory/libpod_parent/libpod-${id}`)).toBe(false);
    expect(existsSync(`/run/kc/${id}`)).toBe(false);
    rmSync(dirname(cid), { recursive: true, force: true });
  });

  it("gives run -t and exec -t a terminal from the container's own devpts through --console-socket", () => {
    const r = podman('run', '--rm', '-t', '--name', name('tty'), ...LIMITS, image, 'sh', '-c', 'test -t 0 && test -t 1 && tty');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('/dev/pts/0');
    const n = name('etty');
    expect(podman('run', '-d', '--name', n, ...LIMITS, image, 'sleep', '100').status).toBe(0);
    const e = podman('exec', '-t', n, 'tty');
    expect(e.status, e.stderr).toBe(0);
    expect(e.stdout.trim()).toBe('/dev/pts/0');
    expect(podman('rm', '-f', '-t', '0', n).status).toBe(0);
  });

  it('update changes the live limits exactly as podman update under runc does', () => {
    const flags = ['--memory', '64m', '--cpu-shares', '512', '--cpu-quota', '20000', '--cpu-period', '100000'];
    const withRunc = (...args: string[]) => spawnSync('podman', ['--runtime', 'runc', ...PODMAN.slice(2), ...args], { encoding: 'utf8', timeout: 60_000 });
    const n = name('upd');
    const nr = uniqueId('updrunc');
    try {
      expect(podman('run', '-d', '--name', n, ...LIMITS, image, 'sleep', '1000').status).toBe(0);
      expect(withRunc('run', '-d', '--name', nr, ...LIMITS, image, 'sleep', '1000').status).toBe(0);
      const k = podman('update', ...flags, n);
      expect(k.status, k.stderr).toBe(0);
      const r = withRunc('update', ...flags, nr);
      expect(r.status, r.stderr).toBe(0);
      const pid = (run: typeof podman, c: string) => Number(run('inspect', '--format', '{{.State.Pid}}', c).stdout.trim());
      const got = cgroupLimits(pid(podman, n));
      expect(got['memory.limit_in_bytes'] ?? got['memory.max']).toBe(String(64 << 20));
      expect(got).toEqual(cgroupLimits(pid(withRunc, nr)));
    } finally {
      withRunc('rm', '-f', '-t', '0', nr);
    }
  });
});
