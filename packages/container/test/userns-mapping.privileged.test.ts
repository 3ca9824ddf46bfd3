/**
 * User namespaces with real mappings (issue #14), against runc on the bundle
 * `runc spec` writes: container root mapped to host 100000, the rootfs owned
 * by that id. Before the child became root of its namespace ahead of the
 * mounts, kc failed with EOVERFLOW at /dev/pts; before the exec fifo was made
 * 0622 whatever the umask, kc-init could not open it as the mapped root (or
 * any non-root `process.user`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BothRuns, leftoverCgroups, probe, runUnderBoth, tempDir } from './helpers.js';

const stateRoot = tempDir('kc-userns-');
afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

/** User namespaces can be created here (the kernel's limit is not 0). */
const userns = Number(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8')) > 0;

const VIEW = [
  'id',
  'cat /proc/self/uid_map /proc/self/gid_map',
  'grep -E "^Cap(Prm|Eff|Bnd):" /proc/self/status',
  'ls -ln /dev/pts | tail -n +2 | cut -c1-10',
  'touch /made-inside && echo made',
  'mkdir /tmp/d && echo tmpfs-ok',
  'echo oom_score_adj $(cat /proc/self/oom_score_adj)',
].join('; ');

/** A `runc spec` bundle (busybox rootfs) edited for a user namespace mapping root to `hostId`. */
function mappedBundle(hostId: number, edit?: (c: Record<string, any>) => void): string {
  const dir = tempDir('kc-userns-bundle-');
  chmodSync(dir, 0o755); // mkdtemp makes it 0700: the mapped root could not reach its rootfs
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  for (const a of ['sh', 'id', 'cat', 'grep', 'ls', 'cut', 'tail', 'touch', 'mkdir', 'stat']) symlinkSync('busybox', join(rootfs, 'bin', a));
  expect(spawnSync('runc', ['spec'], { cwd: dir }).status).toBe(0);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  config.process.terminal = false;
  config.process.args = ['sh', '-c', VIEW];
  config.root.readonly = false;
  config.linux.namespaces.push({ type: 'user' });
  config.linux.uidMappings = [{ containerID: 0, hostID: hostId, size: 65536 }];
  config.linux.gidMappings = [{ containerID: 0, hostID: hostId, size: 65536 }];
  // Written to /proc/self while the child still holds host ids: a mapped root could not write it later.
  config.process.oomScoreAdj = 123;
  edit?.(config);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  // The mapped root owns its root filesystem, as with `podman --userns` or a Kubernetes user-namespaced pod.
  const chownTree = (p: string) => {
    chownSync(p, hostId, hostId);
    if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(join(p, e));
  };
  chownTree(rootfs);
  return dir;
}

/** Runs the bundle under both; the uid that owns the file each container made in its rootfs. */
function runBoth(bundle: string): { runc: ReturnType<typeof spawnSync>; kc: ReturnType<typeof spawnSync>; kcId: string; owners: number[] } {
  const owners: number[] = [];
  const madeInside = () => {
    owners.push(statSync(join(bundle, 'rootfs/made-inside')).uid);
    rmSync(join(bundle, 'rootfs/made-inside'));
    rmSync(join(bundle, 'rootfs/tmp/d'), { recursive: true, force: true });
  };
  const { runc, kc, ids } = runUnderBoth(bundle, stateRoot, madeInside);
  owners.push(statSync(join(bundle, 'rootfs/made-inside')).uid);
  return { runc, kc, kcId: ids.kc, owners };
}

describe.runIf(probe.root && userns)('user namespace with a real mapping, as runc (user namespaces enabled)', () => {
  it('root inside is host uid 100000: same ids, maps, capabilities and /dev/pts as runc; a file made inside is owned by 100000', () => {
    const bundle = mappedBundle(100000);
    try {
      const { runc, kc, kcId, owners } = runBoth(bundle);
      expect(runc.status, String(runc.stderr)).toBe(0);
      expect(kc.status, String(kc.stderr)).toBe(0);
      expect(String(kc.stdout)).toContain('uid=0 gid=0');
      expect(String(kc.stdout)).toMatch(/^\s+0\s+100000\s+65536$/m);
      expect(String(kc.stdout)).toContain('tmpfs-ok');
      expect(String(kc.stdout)).toContain('oom_score_adj 123');
      expect(kc.stdout).toBe(runc.stdout);
      expect(owners).toEqual([100000, 100000]);
      expect(leftoverCgroups(kcId)).toEqual([]);
    } finally {
      rmSync(bundle, { recursive: true, force: true });
    }
  });

  it('a non-root process.user inside the mapping runs as under runc (the exec fifo opens whatever the umask)', () => {
    const bundle = mappedBundle(200000, (c) => {
      c.process.user = { uid: 1000, gid: 1000 };
      c.process.args = ['sh', '-c', 'id; grep -E "^Cap(Prm|Eff):" /proc/self/status'];
    });
    try {
      const oldMask = process.umask(0o077);
      let result: BothRuns;
      try {
        result = runUnderBoth(bundle, stateRoot);
      } finally {
        process.umask(oldMask);
      }
      expect(result.runc.status, String(result.runc.stderr)).toBe(0);
      expect(result.kc.status, String(result.kc.stderr)).toBe(0);
      expect(String(result.kc.stdout)).toContain('uid=1000 gid=1000');
      expect(result.kc.stdout).toBe(result.runc.stdout);
    } finally {
      rmSync(bundle, { recursive: true, force: true });
    }
  });
});
