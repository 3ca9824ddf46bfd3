/**
 * OCI `mounts[].uidMappings`/`gidMappings` (runtime-spec 1.1 idmapped bind
 * mounts), applied with open_tree(2) OPEN_TREE_CLONE, mount_setattr(2)
 * MOUNT_ATTR_IDMAP (a helper user namespace carries the mapping) and
 * move_mount(2). The mapping reads as runc 1.2 reads it (uid_map order): a
 * file owned by `containerID + n` on the source filesystem is seen as owned
 * by `hostID + n`, before the container's own user namespace (if any) maps
 * that id again.
 *
 * No peer on this machine applies them: runc 1.1.5 (Debian 12) predates
 * idmapped mounts (runc 1.2) and ignores the fields, so under it the same
 * bundle shows the files' real owners; the test shows that difference, and
 * checks kc against the kernel's own view: the owners the host sees on disk.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, lstatSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from '@kc/native';
import { idmappedTree, Namespace, NamespaceError } from '@kc/namespaces';
import type { OciConfig } from '../src/index.js';
import { KC, leftoverCgroups, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const stateRoot = tempDir('kc-idmap-state-');
afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

/**
 * Probe: can this kernel idmap a mount of the filesystem the test's volumes
 * live on (the temp dir's: ext4 here)? Tried, not read off the version:
 * mount_setattr(MOUNT_ATTR_IDMAP) fails with EINVAL where it cannot.
 */
async function probeIdmap(): Promise<boolean> {
  if (!probe.root) return false;
  const dir = tempDir('kc-idmap-probe-');
  const holder = spawn({
    argv: ['/bin/busybox', 'sleep', '600'],
    namespaces: ['user'],
    uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
    gidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    using userns = Namespace.fromPid(holder.pid, 'user');
    closeSync(idmappedTree(dir, userns));
    return true;
  } catch (e) {
    if (e instanceof NamespaceError && e.code === 'EINVAL') return false;
    throw e;
  } finally {
    holder.kill('SIGKILL');
    await holder.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
const idmap = await probeIdmap();

const SCRIPT = 'stat -c "owner %u:%g" /vol/host-file; touch /vol/made-inside 2>&1 && echo made';

/**
 * A volume directory owned by `owner` holding `host-file` owned by `owner`.
 * The directory's owner must be mapped by the mount's mapping: the kernel
 * refuses any write to an inode whose owner an idmapped mount cannot map
 * (EACCES, fs/namei.c HAS_UNMAPPED_ID).
 */
function volume(owner: number): string {
  const dir = tempDir('kc-idmap-vol-');
  chmodSync(dir, 0o755);
  chownSync(dir, owner, owner);
  writeFileSync(join(dir, 'host-file'), 'x');
  chownSync(join(dir, 'host-file'), owner, owner);
  return dir;
}

/** Runs the bundle under `runtime`, force-deleting the container after. */
function run(runtime: 'runc' | 'kc', bundle: string): { status: number | null; out: string; id: string } {
  const id = uniqueId(runtime);
  const bin = runtime === 'kc' ? KC : 'runc';
  try {
    const r = spawnSync(bin, ['--root', `${stateRoot}/${runtime}`, 'run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}`, id };
  } finally {
    spawnSync(bin, ['--root', `${stateRoot}/${runtime}`, 'delete', '--force', id]);
  }
}

const ownerLine = (out: string) => /^owner (\d+):(\d+)$/m.exec(out)?.slice(1).map(Number);

function chownTree(p: string, id: number): void {
  chownSync(p, id, id);
  if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(join(p, e), id);
}

describe.runIf(idmap && probe.busybox && probe.runc)('idmapped bind mounts (mount_setattr MOUNT_ATTR_IDMAP on the temp dir filesystem)', () => {
  it('a Kubernetes-style layout: root mapped to 100000, a root-owned volume idmapped 0→100000 is root-owned inside', () => {
    const vol = volume(0);
    const vol2 = volume(0);
    const script = `${SCRIPT}; stat -c "second %u:%g" /vol2/host-file`;
    const { bundle, cleanup } = makeBundle(['sh', '-c', script], (c: OciConfig) => {
      c.root = { path: 'rootfs', readonly: false };
      c.linux!.namespaces!.push({ type: 'user' });
      c.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      c.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      c.mounts!.push({
        destination: '/vol',
        type: 'bind',
        source: vol,
        options: ['rbind'],
        uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
        gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      });
      // `idmap` without mappings of its own: the container's (runc 1.2).
      c.mounts!.push({ destination: '/vol2', type: 'bind', source: vol2, options: ['rbind', 'idmap'] });
    });
    try {
      chmodSync(bundle, 0o755);
      chownTree(join(bundle, 'rootfs'), 100000);
      const kc = run('kc', bundle);
      expect(kc.status, kc.out).toBe(0);
      // Disk 0 → 100000 through the mount's mapping → 0 through the container's: its root owns the volume.
      expect(ownerLine(kc.out)).toEqual([0, 0]);
      expect(kc.out).toMatch(/^second 0:0$/m);
      // And what it writes there is stored as host root's, as the volume's other files.
      const made = statSync(join(vol, 'made-inside'));
      expect([made.uid, made.gid]).toEqual([0, 0]);
      expect(leftoverCgroups(kc.id)).toEqual([]);
      rmSync(join(vol, 'made-inside'));
      // runc 1.1.5 ignores the mount's mapping: host root is unmapped in the container (the overflow id), and it may not write as root there.
      const runc = run('runc', bundle);
      expect(runc.out).toMatch(/made-inside: Permission denied/);
      const overflow = Number(spawnSync('cat', ['/proc/sys/kernel/overflowuid'], { encoding: 'utf8' }).stdout);
      expect(ownerLine(runc.out)).toEqual([overflow, overflow]);
    } finally {
      cleanup();
      rmSync(vol, { recursive: true, force: true });
      rmSync(vol2, { recursive: true, force: true });
    }
  });

  it('without a user namespace: a host file of 100000 is root-owned inside through 100000→0, and root writes as 100000', () => {
    const vol = volume(100000);
    const { bundle, cleanup } = makeBundle(['sh', '-c', SCRIPT], (c: OciConfig) => {
      c.mounts!.push({
        destination: '/vol',
        type: 'bind',
        source: vol,
        options: ['rbind', 'nosuid'],
        uidMappings: [{ containerID: 100000, hostID: 0, size: 65536 }],
        gidMappings: [{ containerID: 100000, hostID: 0, size: 65536 }],
      });
    });
    try {
      const kc = run('kc', bundle);
      expect(kc.status, kc.out).toBe(0);
      expect(ownerLine(kc.out)).toEqual([0, 0]);
      const made = statSync(join(vol, 'made-inside'));
      expect([made.uid, made.gid]).toEqual([100000, 100000]);
      rmSync(join(vol, 'made-inside'));
      // The oracle that ignores the mapping shows the owner the host sees.
      const runc = run('runc', bundle);
      expect(runc.status, runc.out).toBe(0);
      expect(ownerLine(runc.out)).toEqual([100000, 100000]);
      expect(statSync(join(vol, 'made-inside')).uid).toBe(0);
    } finally {
      cleanup();
      rmSync(vol, { recursive: true, force: true });
    }
  });

  it('refuses mappings on a non-bind mount before anything is created', () => {
    const { bundle, cleanup } = makeBundle(['true'], (c: OciConfig) => {
      c.mounts!.push({
        destination: '/scratch',
        type: 'tmpfs',
        source: 'tmpfs',
        uidMappings: [{ containerID: 0, hostID: 100000, size: 1 }],
        gidMappings: [{ containerID: 0, hostID: 100000, size: 1 }],
      });
    });
    try {
      const kc = run('kc', bundle);
      expect(kc.status).not.toBe(0);
      expect(kc.out).toMatch(/mounts\[\d+\]\.uidMappings.*only supported for bind mounts/);
      expect(leftoverCgroups(kc.id)).toEqual([]);
      expect(readdirSync(stateRoot).includes('kc') ? readdirSync(join(stateRoot, 'kc')).filter((e) => e === kc.id) : []).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
