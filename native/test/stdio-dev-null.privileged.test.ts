import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KcProcess, type MountStep, MS, SpawnError, spawn } from '@kc/native';
import { busyboxRootfs } from '../../bench/lib/peers.js';
import { childPids, openFds, settle } from './helpers.js';

// The null device: S_IFCHR | 0666, 1:3.
const S_IFCHR = 0o020000;
const devTmpfs = (extra: MountStep[] = []): MountStep[] => [
  { kind: 'mount', source: 'tmpfs', target: '/dev', fstype: 'tmpfs', data: 'mode=755', flags: MS.NOSUID },
  ...extra,
];

/** The mount ids of a process's mount namespace (/proc/PID/mountinfo, first column). */
const mountIds = (pid: number | 'self') =>
  new Set(
    readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => Number(l.split(' ')[0])),
  );
/** The mount an open fd of a process lies on (/proc/PID/fdinfo/FD, `mnt_id`). */
const fdMountId = (pid: number, fd: number) => Number(/^mnt_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1]);

/** Spawns busybox sleep in `rootfs` with stdio 'ignore' and the given /dev steps; returns the process or the SpawnError. */
function spawnInRoot(rootfs: string, dev: MountStep[]) {
  try {
    return spawn({
      argv: ['/bin/sleep', '30'],
      env: { PATH: '/bin' },
      namespaces: ['mnt', 'pid'],
      mounts: [{ kind: 'rootfs', path: rootfs }, { kind: 'pivot' }, ...dev],
      stdio: ['ignore', 'ignore', 'ignore'],
    });
  } catch (e) {
    expect(e).toBeInstanceOf(SpawnError);
    return e as SpawnError;
  }
}

describe("stdio 'ignore': the child opens /dev/null in its own root (spawn step dev_null)", () => {
  let rootfs = '';
  beforeAll(() => {
    rootfs = busyboxRootfs();
    mkdirSync(join(rootfs, 'evil'));
    writeFileSync(join(rootfs, 'evil/file'), 'not the null device');
  });
  afterAll(() => rmSync(rootfs, { recursive: true, force: true }));

  it("without a new root, 'ignore' is the null device and the program holds no other fd", async () => {
    await using p = spawn({ argv: ['sleep', '30'], stdio: ['ignore', 'ignore', 'ignore'] });
    for (const fd of [0, 1, 2]) expect(readlinkSync(`/proc/${p.pid}/fd/${fd}`)).toBe('/dev/null');
    const flags = Number.parseInt(/^flags:\s*(\d+)/m.exec(readFileSync(`/proc/${p.pid}/fdinfo/0`, 'utf8'))?.[1] ?? '', 8);
    expect(flags & 0o3).toBe(0o2); // O_RDWR
    expect(flags & 0o2000000).toBe(0); // O_CLOEXEC gone: dup2 made it the program's
    expect(readdirSync(`/proc/${p.pid}/fd`).sort()).toEqual(['0', '1', '2']);
  });

  it("the fd lies on a mount of the child's namespace, not the host's /dev", async () => {
    const p = spawnInRoot(rootfs, devTmpfs([{ kind: 'mknod', path: '/dev/null', mode: S_IFCHR | 0o666, major: 1, minor: 3 }]));
    if (p instanceof SpawnError) throw p;
    await using _ = p;
    const childMounts = mountIds(p.pid);
    const hostMounts = mountIds('self');
    for (const fd of [0, 1, 2]) {
      const id = fdMountId(p.pid, fd);
      expect(childMounts.has(id)).toBe(true);
      expect(hostMounts.has(id)).toBe(false);
      expect(readlinkSync(`/proc/${p.pid}/fd/${fd}`)).toBe('/dev/null');
    }
  });

  it("a root with no /dev/null at all gets the caller's null device, as before (then on a host mount)", async () => {
    const p = spawnInRoot(rootfs, []);
    if (p instanceof SpawnError) throw p;
    await using _ = p;
    for (const fd of [0, 1, 2]) {
      expect(readlinkSync(`/proc/${p.pid}/fd/${fd}`)).toBe('/dev/null');
      expect(mountIds('self').has(fdMountId(p.pid, fd))).toBe(true);
    }
    expect(readdirSync(`/proc/${p.pid}/fd`).sort()).toEqual(['0', '1', '2']);
  });

  it.each([
    ['a symlink to a file of the root', [{ kind: 'symlink', target: '/evil/file', path: '/dev/null' }] as MountStep[], 'ELOOP'],
    ['a symlink to /proc/self/fd/0', [{ kind: 'symlink', target: '/proc/self/fd/0', path: '/dev/null' }] as MountStep[], 'ELOOP'],
    ['a bind mount of a plain file', [{ kind: 'mount', source: '/evil/file', target: '/dev/null', flags: MS.BIND, create: 'file' }] as MountStep[], 'EPERM'],
    ['another character device (1:5, zero)', [{ kind: 'mknod', path: '/dev/null', mode: S_IFCHR | 0o666, major: 1, minor: 5 }] as MountStep[], 'EPERM'],
  ])('refuses a /dev/null that is %s: SpawnError at dev_null, nothing left behind', async (_what, steps, code) => {
    await settle();
    const fds = openFds();
    const e = spawnInRoot(rootfs, devTmpfs(steps));
    expect(e).toBeInstanceOf(SpawnError);
    expect((e as SpawnError).step).toBe('dev_null');
    expect((e as SpawnError).code).toBe(code);
    await settle();
    expect(openFds()).toBe(fds);
    expect(childPids()).toEqual([]);
  });

  // Without openat2 (Linux < 5.6, or a seccomp filter installed before the stdio step answers ENOSYS): open(2) with O_NOFOLLOW, the same checks.
  describe('where openat2 answers ENOSYS (a seccomp filter installed before the stdio step, as without noNewPrivileges)', () => {
    const insn = (code: number, jt: number, jf: number, k: number) => {
      const b = Buffer.alloc(8);
      b.writeUInt16LE(code, 0);
      b.writeUInt8(jt, 2);
      b.writeUInt8(jf, 3);
      b.writeUInt32LE(k >>> 0, 4);
      return b;
    };
    const SYS_openat2 = 437; // the same number on every architecture (syscalls since 5.1 share one table)
    // ld nr; jeq openat2 ? ERRNO(ENOSYS) : ALLOW
    const enosysOpenat2 = Buffer.concat([insn(0x20, 0, 0, 0), insn(0x15, 0, 1, SYS_openat2), insn(0x06, 0, 0, 0x00050000 | 38), insn(0x06, 0, 0, 0x7fff0000)]);
    const spawnWithFilter = (dev: MountStep[]) => {
      try {
        return spawn({
          argv: ['/bin/sleep', '30'],
          env: { PATH: '/bin' },
          namespaces: ['mnt', 'pid'],
          mounts: [{ kind: 'rootfs', path: rootfs }, { kind: 'pivot' }, ...devTmpfs(dev)],
          seccomp: { filter: enosysOpenat2 },
          stdio: ['ignore', 'ignore', 'ignore'],
        });
      } catch (e) {
        return e;
      }
    };

    it('opens the null device with open(2)', async () => {
      const p = spawnWithFilter([{ kind: 'mknod', path: '/dev/null', mode: S_IFCHR | 0o666, major: 1, minor: 3 }]);
      if (!(p instanceof KcProcess)) throw p;
      await using _ = p;
      expect(readlinkSync(`/proc/${p.pid}/fd/0`)).toBe('/dev/null');
      expect(mountIds(p.pid).has(fdMountId(p.pid, 0))).toBe(true);
    });

    it('still refuses a symlink and another device (EPERM: O_PATH|O_NOFOLLOW opens the link itself, which is no device)', () => {
      const link = spawnWithFilter([{ kind: 'symlink', target: '/evil/file', path: '/dev/null' }]);
      expect(link).toBeInstanceOf(SpawnError);
      expect((link as SpawnError).step).toBe('dev_null');
      expect((link as SpawnError).code).toBe('EPERM');
      const zero = spawnWithFilter([{ kind: 'mknod', path: '/dev/null', mode: S_IFCHR | 0o666, major: 1, minor: 5 }]);
      expect((zero as SpawnError).step).toBe('dev_null');
      expect((zero as SpawnError).code).toBe('EPERM');
    });
  });

  it('a plain file planted at /dev/null of the rootfs itself is refused too', () => {
    const planted = busyboxRootfs();
    try {
      writeFileSync(join(planted, 'dev/null'), '');
      const e = spawnInRoot(planted, []);
      expect((e as SpawnError).step).toBe('dev_null');
      expect((e as SpawnError).code).toBe('EPERM');
    } finally {
      rmSync(planted, { recursive: true, force: true });
    }
  });
});
