import { MOUNT_ATTR } from '@kc/namespaces';
import { describe, expect, it } from 'vitest';
import { ContainerError } from '../errors.js';
import { defaultConfig } from '../oci/default-config.js';
import { parseCgroupLayout } from './cgroup-layout.js';
import { MS, parseOciMountOptions } from './mount-options.js';
import { envRecord, toProcessSpec } from './process-spec.js';

const hybrid = parseCgroupLayout(
  [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n'),
);
const ctx = { rootfs: '/b/rootfs', isDirectory: (p: string) => !p.endsWith('.conf'), cgroupLayout: hybrid };

describe('parseCgroupLayout', () => {
  it('finds v1 hierarchies and the unified dir of a hybrid host', () => {
    expect(hybrid).toEqual({
      version: 1,
      hierarchies: [
        { dir: 'memory', options: 'memory' },
        { dir: 'systemd', options: 'name=systemd' },
      ],
      unifiedDir: 'unified',
    });
  });
  it('recognises a unified host', () => {
    expect(parseCgroupLayout('30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate')).toEqual({ version: 2 });
  });
});

describe('parseOciMountOptions', () => {
  it('splits flags, propagation and data like mount(8)', () => {
    expect(parseOciMountOptions(['nosuid', 'noexec', 'ro', 'rw', 'rprivate', 'mode=755', 'size=64k'])).toEqual({
      flags: MS.NOSUID | MS.NOEXEC,
      propagation: MS.PRIVATE | MS.REC,
      data: 'mode=755,size=64k',
      attrSet: 0,
      attrClear: 0,
    });
    expect(parseOciMountOptions(['rbind', 'ro']).flags).toBe(MS.BIND | MS.REC | MS.RDONLY);
  });
  it('keeps the recursive options (rro...) apart as mount_setattr(2) attributes', () => {
    expect(parseOciMountOptions(['rbind', 'rro', 'rnosuid', 'rexec'])).toEqual({
      flags: MS.BIND | MS.REC,
      propagation: 0,
      data: '',
      attrSet: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID,
      attrClear: MOUNT_ATTR.NOEXEC,
    });
  });
});

describe('envRecord', () => {
  it('keeps = inside values and lets later entries win', () => {
    expect(envRecord(['A=1=2', 'B=', 'A=3'])).toEqual({ A: '3', B: '' });
  });
});

describe('toProcessSpec', () => {
  const config = defaultConfig({ args: ['/bin/echo', 'hi'] });
  config.mounts?.push({ destination: '/etc/app.conf', source: '/host/app.conf', type: 'bind', options: ['rbind', 'ro'] });
  config.linux!.namespaces!.push({ type: 'time', path: '/proc/1/ns/time' });
  const spec = toProcessSpec(config, ctx);

  it('creates the namespaces and joins those with a path', () => {
    expect(spec.namespaces).toEqual(['pid', 'net', 'ipc', 'uts', 'mnt', 'cgroup']);
    expect(spec.join).toEqual([{ kind: 'time', path: '/proc/1/ns/time' }]);
  });
  it('turns capability names into masks', () => {
    const bit = (n: number) => 1n << BigInt(n);
    expect(spec.capabilities?.bounding! & bit(21)).toBe(0n); // CAP_SYS_ADMIN dropped
    expect(spec.capabilities?.bounding! & bit(0)).toBe(bit(0)); // CAP_CHOWN kept
    expect(spec.capabilities?.ambient).toBe(0n);
  });
  it('copies argv, env, cwd, user, rlimits, hostname and no_new_privs', () => {
    expect(spec.argv).toEqual(['/bin/echo', 'hi']);
    expect(spec.env?.PATH).toMatch(/\/bin/);
    expect(spec.cwd).toBe('/');
    expect(spec.user).toEqual({ uid: 0, gid: 0, groups: [] });
    expect(spec.rlimits).toEqual([{ resource: 'nofile', soft: 1024, hard: 1024 }]);
    expect(spec.hostname).toBe('kc');
    expect(spec.noNewPrivileges).toBe(true);
  });
  it('carries process.user.umask into the spawn spec, and leaves it inherited when absent', () => {
    expect(spec.umask).toBeUndefined();
    const c = defaultConfig({ args: ['/bin/true'] });
    c.process!.user.umask = 0o027;
    expect(toProcessSpec(c, ctx).umask).toBe(0o027);
    c.process!.user.umask = 0;
    expect(toProcessSpec(c, ctx).umask).toBe(0);
  });
  it('orders mounts: root, mounts inside it, pivot, devices, masks, read-only paths, read-only root', () => {
    const kinds = spec.mounts!.map((s) => s.kind);
    expect(kinds[0]).toBe('rootfs');
    const pivot = kinds.indexOf('pivot');
    expect(kinds.slice(1, pivot).every((k) => k === 'mount' || k === 'remount')).toBe(true);
    expect(kinds.lastIndexOf('mknod')).toBeLessThan(kinds.indexOf('mask'));
    expect(kinds.lastIndexOf('mask')).toBeLessThan(kinds.indexOf('readonly'));
    expect(spec.mounts!.at(-1)).toEqual({ kind: 'remount', target: '/', flags: MS.BIND | MS.RDONLY });
  });
  it('creates the six default devices and the /dev symlinks after pivot_root', () => {
    const nodes = spec.mounts!.filter((s) => s.kind === 'mknod').map((s) => (s as { path: string }).path);
    expect(nodes).toEqual(['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
    expect(spec.mounts).toContainEqual({ kind: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx' });
  });
  it('links /dev/core to /proc/kcore only where the host kernel has it, as runc', () => {
    const core = { kind: 'symlink', target: '/proc/kcore', path: '/dev/core' };
    expect(spec.mounts).not.toContainEqual(core);
    expect(toProcessSpec(defaultConfig({ args: ['true'] }), { ...ctx, procKcore: true }).mounts).toContainEqual(core);
  });
  it('binds a file source onto a created file, read-only', () => {
    expect(spec.mounts).toContainEqual({
      kind: 'mount',
      source: '/host/app.conf',
      target: '/etc/app.conf',
      flags: MS.BIND | MS.REC | MS.RDONLY,
      create: 'file',
      readonly: true,
    });
  });
  it('builds /sys/fs/cgroup from fresh cgroup mounts inside a cgroup namespace', () => {
    const cg = spec.mounts!.filter((s) => s.kind === 'mount' && s.target.startsWith('/sys/fs/cgroup'));
    expect(cg.map((s) => [(s as { target: string }).target, (s as { fstype?: string }).fstype])).toEqual([
      ['/sys/fs/cgroup', 'tmpfs'],
      ['/sys/fs/cgroup/memory', 'cgroup'],
      ['/sys/fs/cgroup/systemd', 'cgroup'],
    ]);
  });
  it('binds the host sysfs read-only and devices from the host in a user namespace without netns', () => {
    const c = defaultConfig();
    c.linux!.namespaces = [{ type: 'user' }, { type: 'mount' }, { type: 'pid' }, { type: 'uts' }];
    c.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    const s = toProcessSpec(c, ctx);
    const at = s.mounts!.findIndex((m) => m.kind === 'mount' && m.source === '/sys');
    expect(s.mounts![at]).toEqual({ kind: 'mount', source: '/sys', target: '/sys', flags: MS.BIND | MS.REC, readonly: true, create: 'dir' });
    // The host's submounts of /sys (cgroup, debugfs, securityfs...) read-only too.
    expect(s.mounts![at + 1]).toEqual({ kind: 'setattr', target: '/sys', set: MOUNT_ATTR.RDONLY, recursive: true });
    expect(s.mounts!.some((m) => m.kind === 'mknod')).toBe(false);
    expect(s.mounts).toContainEqual({ kind: 'mount', source: '/dev/null', target: '/dev/null', flags: MS.BIND, create: 'file' });
    expect(s.uidMap).toEqual([{ containerId: 0, hostId: 100000, size: 65536 }]);
  });
});

describe('recursive mount options (runtime-spec 1.1)', () => {
  const withMount = (options: string[]) => {
    const c = defaultConfig();
    c.mounts?.push({ destination: '/data', source: '/srv/data', type: 'bind', options });
    return c;
  };

  it('puts a recursive mount_setattr step right after the mount it belongs to', () => {
    const mounts = toProcessSpec(withMount(['rbind', 'rro', 'rnosuid', 'rnoexec']), ctx).mounts!;
    const at = mounts.findIndex((m) => m.kind === 'mount' && m.target === '/data');
    expect(mounts[at]).toEqual({ kind: 'mount', source: '/srv/data', target: '/data', flags: MS.BIND | MS.REC, create: 'dir', readonly: false });
    expect(mounts[at + 1]).toEqual({
      kind: 'setattr',
      target: '/data',
      set: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NOEXEC,
      recursive: true,
    });
    expect(mounts.filter((m) => m.kind === 'setattr')).toHaveLength(1);
  });

  it('leaves plain ro, root.readonly and readonlyPaths top-only, as runc does', () => {
    const mounts = toProcessSpec(withMount(['rbind', 'ro']), ctx).mounts!;
    expect(mounts.some((m) => m.kind === 'setattr')).toBe(false);
    expect(mounts.filter((m) => m.kind === 'readonly').every((m) => !('recursive' in m))).toBe(true);
    expect(mounts.at(-1)).toEqual({ kind: 'remount', target: '/', flags: MS.BIND | MS.RDONLY });
  });

  it('clears with the opposite words and puts the whole atime mask in clear', () => {
    const mounts = toProcessSpec(withMount(['rbind', 'rrw', 'rnoatime']), ctx).mounts!;
    expect(mounts.find((m) => m.kind === 'setattr')).toEqual({
      kind: 'setattr',
      target: '/data',
      set: MOUNT_ATTR.NOATIME,
      clear: MOUNT_ATTR.RDONLY | MOUNT_ATTR._ATIME,
      recursive: true,
    });
  });

  it('refuses a recursive option the kernel cannot apply, naming it, before anything runs', () => {
    const refused = (options: string[], support: { mountSetattr: boolean; nosymfollow: boolean }) => {
      try {
        toProcessSpec(withMount(options), { ...ctx, mountAttrSupport: support });
      } catch (e) {
        expect(e).toBeInstanceOf(ContainerError);
        return [(e as ContainerError).code, (e as ContainerError).field, (e as ContainerError).message];
      }
      return undefined;
    };
    const index = defaultConfig().mounts!.length;
    const old = refused(['rbind', 'rro', 'rnodev'], { mountSetattr: false, nosymfollow: false });
    expect(old?.slice(0, 2)).toEqual(['UNSUPPORTED', `mounts[${index}].options`]);
    expect(old?.[2]).toMatch(/rro, rnodev need mount_setattr/);
    expect(refused(['rbind', 'rnosymfollow'], { mountSetattr: true, nosymfollow: false })?.[0]).toBe('UNSUPPORTED');
    expect(refused(['rbind', 'rro'], { mountSetattr: true, nosymfollow: false })).toBeUndefined();
    expect(refused(['rbind', 'ro'], { mountSetattr: false, nosymfollow: false })).toBeUndefined();
  });
});
