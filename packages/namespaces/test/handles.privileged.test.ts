import { closeSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawn } from '@kc/native';
import { idmappedBindMount, MNT, mountNow, Namespace, NamespaceError, namespacesOf, readIdMap, unixSocketPair, unmountNow } from '@kc/namespaces';
import { collect, holder, stop } from './helpers.js';

/**
 * Probe: can the kernel idmap a tmpfs mount (FS_ALLOW_IDMAP on tmpfs, Linux 6.3)?
 * Tried, not read off the version: mount_setattr(MOUNT_ATTR_IDMAP) fails with
 * EINVAL on a filesystem without it; any other error is a real failure.
 */
async function probeTmpfsIdmap(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'kc-idmap-probe-'));
  const src = join(dir, 'src');
  const dst = join(dir, 'dst');
  mkdirSync(src);
  mkdirSync(dst);
  const userHolder = holder({
    namespaces: ['user'],
    uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
    gidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
  });
  let mounted = false;
  try {
    mountNow({ source: 'tmpfs', target: src, fstype: 'tmpfs', data: 'size=64k' });
    mounted = true;
    using userns = Namespace.fromPid(userHolder.pid, 'user');
    try {
      idmappedBindMount(src, dst, userns);
    } catch (e) {
      if (e instanceof NamespaceError && e.code === 'EINVAL') return false;
      throw e;
    }
    unmountNow(dst, MNT.DETACH);
    return true;
  } finally {
    if (mounted) unmountNow(src, MNT.DETACH);
    await stop(userHolder);
    rmSync(dir, { recursive: true, force: true });
  }
}
const tmpfsIdmap = await probeTmpfsIdmap();

describe('Namespace handles', () => {
  it('opens the same namespace from a pid, a pidfd and a path', async () => {
    const child = holder({ namespaces: ['net', 'cgroup', 'time'] });
    try {
      for (const kind of ['net', 'cgroup', 'time', 'mnt'] as const) {
        using a = Namespace.fromPid(child.pid, kind);
        using b = Namespace.fromPidfd(child.pidfd, kind);
        using c = Namespace.fromPath(`/proc/${child.pid}/ns/${kind}`);
        expect(a.equals(b) && b.equals(c)).toBe(true);
        expect(c.kind).toBe(kind);
        expect(a.id).toBe(readlinkSync(`/proc/${child.pid}/ns/${kind}`));
        using owner = a.owner();
        expect(owner.inode).toBe(statSync('/proc/self/ns/user').ino);
      }
      using net = Namespace.fromPid(child.pid, 'net');
      expect(net.equals(Namespace.current('net'))).toBe(false);
      expect(() => Namespace.fromPath(`/proc/${child.pid}/ns/net`, 'uts')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(() => Namespace.fromPid(child.pid, 'bogus' as never)).toThrow(NamespaceError);
      expect(() => net.ownerUid()).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
      expect(net.parent()).toBeNull(); // net namespaces have no hierarchy (EINVAL)
      net.close();
      expect(net.closed).toBe(true);
      expect(() => net.fd).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    } finally {
      await stop(child);
    }
  });

  it('a unix socket pair connects processes across net, mnt and pid namespaces', async () => {
    const [mine, theirs] = unixSocketPair();
    const child = spawn({
      argv: ['/bin/busybox', 'sh', '-c', 'echo "hello from $(readlink /proc/self/ns/net)" >&3; read reply <&3; echo "$reply"'],
      namespaces: ['net', 'mnt', 'pid'],
      extraFds: [theirs],
    });
    closeSync(theirs);
    const out = collect(child.stdout);
    const sock = new Socket({ fd: mine, readable: true, writable: true });
    const first = await new Promise<string>((resolve) => sock.once('data', (d) => resolve(String(d))));
    expect(first.trim()).toBe(`hello from net:[${Namespace.fromPid(child.pid, 'net').inode}]`);
    expect(first).not.toContain(String(statSync('/proc/self/ns/net').ino));
    sock.end('ack from the host\n');
    expect((await child.exited).exitCode).toBe(0);
    expect(out().trim()).toBe('ack from the host');
    sock.destroy();
  });

  it.runIf(tmpfsIdmap)('idmapped bind mount shifts owners through a user namespace (new mount API, idmapped tmpfs mounts)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-idmap-'));
    const src = join(dir, 'src');
    const dst = join(dir, 'dst');
    mkdirSync(src);
    mkdirSync(dst);
    const userHolder = holder({
      namespaces: ['user'],
      uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
      gidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
    });
    let mountedSrc = false;
    let mountedDst = false;
    try {
      mountNow({ source: 'tmpfs', target: src, fstype: 'tmpfs', data: 'size=1m' });
      mountedSrc = true;
      writeFileSync(join(src, 'file'), 'x');
      using userns = Namespace.fromPid(userHolder.pid, 'user');
      idmappedBindMount(src, dst, userns, { readonly: true });
      mountedDst = true;
      expect(statSync(join(src, 'file')).uid).toBe(0);
      expect(statSync(join(dst, 'file')).uid).toBe(100000);
      expect(() => writeFileSync(join(dst, 'file'), 'y')).toThrow(/EROFS/);
    } finally {
      if (mountedDst) unmountNow(dst, MNT.DETACH);
      if (mountedSrc) unmountNow(src, MNT.DETACH);
      await stop(userHolder);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("'self' names the calling process wherever a pid is taken", () => {
  it('Namespace.fromPid, namespacesOf and readIdMap take it, with the same answers as process.pid', () => {
    using own = Namespace.fromPid('self', 'uts');
    using byPid = Namespace.fromPid(process.pid, 'uts');
    expect(own.inode).toBe(byPid.inode);
    expect(namespacesOf('self')).toEqual(namespacesOf(process.pid));
    expect(readIdMap('self', 'uid')).toEqual(readIdMap(process.pid, 'uid'));
    expect(() => Namespace.fromPid('me' as 'self', 'uts')).toThrow(NamespaceError);
  });
});
