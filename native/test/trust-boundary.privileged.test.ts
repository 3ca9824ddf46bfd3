/**
 * The spawn child is the trust boundary (DESIGN.md "Security"): until execve
 * it holds no host fd but the plan's, it is not dumpable, and its working
 * directory lies inside its new root. Each test shows the effect from
 * outside: what a config could reach before these rules, it cannot now.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProcessSpec, SpawnError, spawn } from '@kc/native';
import { Act, compile, policy, SeccompSupervisor, toSpawnSeccomp } from '@kc/seccomp';
import { busyboxRootfs } from '../../bench/lib/peers.js';
import { run } from './helpers.js';

let rootfs = '';
let hostDir = '';
let hostDirFd = -1;

/** A container-like spec: new namespaces, pivot into the busybox rootfs, a given cwd. */
function inRoot(cwd: string, extra: Partial<ProcessSpec> = {}): ProcessSpec {
  return {
    argv: ['/bin/sh', '-c', 'pwd; ls /'],
    env: { PATH: '/bin' },
    namespaces: ['mnt', 'pid', 'uts', 'ipc'],
    mounts: [{ kind: 'rootfs', path: rootfs }, { kind: 'mount', source: 'proc', target: '/proc', fstype: 'proc' }, { kind: 'pivot' }],
    cwd,
    ...extra,
  };
}

function spawnError(spec: ProcessSpec): SpawnError {
  try {
    const p = spawn(spec);
    p.kill('SIGKILL');
  } catch (e) {
    if (e instanceof SpawnError) return e;
    throw e;
  }
  throw new Error(`spawn with cwd ${spec.cwd} succeeded: the child reached the host through it`);
}

describe('the spawn child is the trust boundary', () => {
  beforeAll(() => {
    rootfs = busyboxRootfs();
    hostDir = mkdtempSync(join(tmpdir(), 'kc-host-only-'));
    writeFileSync(join(hostDir, 'host-secret'), 'host\n');
    hostDirFd = openSync(hostDir, constants.O_RDONLY | constants.O_DIRECTORY);
  });
  afterAll(() => {
    closeSync(hostDirFd);
    rmSync(hostDir, { recursive: true, force: true });
    rmSync(rootfs, { recursive: true, force: true });
  });

  it('a cwd of /proc/self/fd/N names no host fd of Node, for every N from 3 to 64 (CVE-2024-21626 class)', () => {
    const codes = new Set<string>();
    for (let n = 3; n <= 64; n++) {
      const e = spawnError(inRoot(`/proc/self/fd/${n}`));
      expect(e.step).toBe('cwd');
      codes.add(String(e.code));
    }
    // Node's fds are closed before the cwd is resolved (ENOENT); the plan's own are its stdio pipes (ENOTDIR).
    expect([...codes].sort()).toEqual(['ENOENT', 'ENOTDIR']);
  });

  it('a bind mount whose source is /proc/self/fd/N of a host directory finds nothing', () => {
    const e = spawnError({
      argv: ['/bin/true'],
      namespaces: ['mnt'],
      mounts: [
        { kind: 'rootfs', path: rootfs },
        { kind: 'mount', source: `/proc/self/fd/${hostDirFd}`, target: '/tmp', flags: 0x1000 /* MS_BIND */ },
        { kind: 'pivot' },
      ],
    });
    expect(e.step).toBe('mounts');
    expect(e.code).toBe('ENOENT');
  });

  it('a cwd outside the new root through an fd the plan itself passes is refused after chdir (EXDEV)', () => {
    // extraFds become fd 3 only at the stdio step; until then the plan keeps the caller's number.
    const e = spawnError(inRoot(`/proc/self/fd/${hostDirFd}`, { extraFds: [hostDirFd] }));
    expect(e.step).toBe('cwd');
    expect(e.code).toBe('EXDEV');
  });

  it('a cwd inside the new root works, and the program sees the container root', async () => {
    const r = await run(spawn(inRoot('/proc')));
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('/proc');
    expect(r.stdout).not.toContain('host-secret');
  });

  it('the child is not dumpable at the last moment before execve, after it dropped to the target user (CVE-2016-9962 class)', async () => {
    // The child's execve goes to a seccomp listener, which holds it there: its capabilities are already the
    // target's, as when a container's root watches for a joining `exec` process. The target user is root
    // (uid 0 → 0): a uid change would make the kernel clear dumpable by itself (commit_creds). An observer
    // with the same uid and no capabilities may read a dumpable process's /proc/PID/exe; the child's, never.
    const noCaps = { bounding: 0n, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n };
    const observe = (pid: number) =>
      spawnSync('setpriv', ['--bounding-set=-all', '--inh-caps=-all', '--', 'readlink', `/proc/${pid}/exe`], { encoding: 'utf8' });
    // The oracle: the same observer reads the exe of a plain root process without capabilities.
    const control = spawn({ argv: ['/bin/sleep', '30'], capabilities: noCaps, stdio: ['ignore', 'ignore', 'ignore'] });
    try {
      expect(observe(control.pid).stdout.trim()).toBe('/usr/bin/sleep');
    } finally {
      control.kill('SIGKILL');
      await control.exited;
    }
    const child = spawn({
      argv: ['/bin/true'],
      capabilities: noCaps,
      noNewPrivileges: true,
      seccomp: toSpawnSeccomp(compile(policy(Act.allow).notify('execve').build()), { listener: true }),
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const sup = new SeccompSupervisor(child.seccompListenerFd as number);
    const seen: string[] = [];
    try {
      for await (const n of sup) {
        const r = observe(n.pid);
        seen.push(`${n.syscall}: ${r.status === 0 ? `read ${r.stdout.trim()}` : 'denied'}`);
        n.continue();
      }
    } finally {
      sup[Symbol.dispose]();
    }
    expect(seen).toEqual(['execve: denied']);
    expect((await child.exited).exitCode).toBe(0);
  });
});
