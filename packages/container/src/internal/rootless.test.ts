import { describe, expect, it } from 'vitest';
import { ContainerError } from '../errors.js';
import type { OciConfig } from '../oci/types.js';
import { defaultStateRoot, type HostIdentity, inUserNamespace, keptGroups, rootlessIdMaps, rootlessMode, supplementaryGroups } from './rootless.js';
import { askedLimits, ownCgroupDirs } from './rootless-cgroup.js';
import { subIdRanges, withinRanges } from './subid.js';

const ids: HostIdentity = {
  uid: 1000,
  gid: 1000,
  name: 'alice',
  subuid: 'bob:100000:65536\nalice:200000:65536\n',
  subgid: '1000:300000:65536\n',
  helpers: true,
  groups: [],
};

function config(uid: { containerID: number; hostID: number; size: number }[], gid = uid, user = true): OciConfig {
  return {
    ociVersion: '1.0.2',
    root: { path: 'rootfs' },
    linux: { namespaces: user ? [{ type: 'user' }] : [{ type: 'pid' }], uidMappings: uid, gidMappings: gid },
  } as OciConfig;
}

function thrown(fn: () => unknown): ContainerError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ContainerError);
    return e as ContainerError;
  }
  throw new Error('expected a ContainerError');
}

describe('rootless mode and state root (runc rules)', () => {
  it('auto is rootless exactly when euid is not 0; true/false force it; anything else is refused', () => {
    expect(rootlessMode(undefined, 1000)).toBe(true);
    expect(rootlessMode('auto', 0)).toBe(false);
    expect(rootlessMode('true', 0)).toBe(true);
    expect(rootlessMode('false', 1000)).toBe(false);
    expect(thrown(() => rootlessMode('yes', 0)).field).toBe('--rootless');
  });

  it('the state root is $XDG_RUNTIME_DIR/kc when rootless and set, else /run/kc', () => {
    expect(defaultStateRoot(true, { XDG_RUNTIME_DIR: '/run/user/1000' })).toBe('/run/user/1000/kc');
    expect(defaultStateRoot(true, {})).toBe('/run/kc');
    expect(defaultStateRoot(false, { XDG_RUNTIME_DIR: '/run/user/1000' })).toBe('/run/kc');
  });
});

describe('rootless id maps', () => {
  it('own ids only: written directly, setgroups denied', () => {
    expect(rootlessIdMaps(config([{ containerID: 0, hostID: 1000, size: 1 }]), ids)).toEqual({ idMapHelper: false, setgroups: 'deny' });
  });

  it('delegated ranges (by name in subuid, by uid in subgid): through the helpers', () => {
    const uid = [
      { containerID: 0, hostID: 1000, size: 1 },
      { containerID: 1, hostID: 200000, size: 65536 },
    ];
    const gid = [
      { containerID: 0, hostID: 1000, size: 1 },
      { containerID: 1, hostID: 300000, size: 65536 },
    ];
    expect(rootlessIdMaps(config(uid, gid), ids)).toEqual({ idMapHelper: true });
  });

  it('ids outside the ranges, another user’s range, no user namespace, no helpers: typed errors naming the field', () => {
    const other = thrown(() => rootlessIdMaps(config([{ containerID: 0, hostID: 100000, size: 10 }], [{ containerID: 0, hostID: 1000, size: 1 }]), ids));
    expect(other.field).toBe('linux.uidMappings[0]');
    expect(other.message).toMatch(/100000-100009 are not delegated to user alice in \/etc\/subuid \(its ranges: 200000-265535\)/);
    const past = thrown(() => rootlessIdMaps(config([{ containerID: 0, hostID: 265000, size: 1000 }]), ids));
    expect(past.field).toBe('linux.uidMappings[0]');
    const gid = thrown(() => rootlessIdMaps(config([{ containerID: 0, hostID: 1000, size: 1 }], [{ containerID: 0, hostID: 200000, size: 5 }]), ids));
    expect(gid.field).toBe('linux.gidMappings[0]');
    expect(gid.message).toMatch(/\/etc\/subgid/);
    expect(thrown(() => rootlessIdMaps(config([{ containerID: 0, hostID: 1000, size: 1 }], undefined, false), ids)).field).toBe('linux.namespaces');
    expect(thrown(() => rootlessIdMaps(config([], [{ containerID: 0, hostID: 1000, size: 1 }]), ids)).field).toBe('linux.uidMappings');
    const noHelpers = thrown(() =>
      rootlessIdMaps(config([{ containerID: 0, hostID: 200000, size: 2 }], [{ containerID: 0, hostID: 300000, size: 2 }]), { ...ids, helpers: false }),
    );
    expect(noHelpers.code).toBe('NOT_FOUND');
    expect(noHelpers.hint).toMatch(/uidmap/);
  });

  it('keeps the caller’s supplementary groups that the gid map maps, as seen inside', () => {
    expect(supplementaryGroups('Name:\tx\nGroups:\t1000 27 \nNSpid:\t1\n')).toEqual([1000, 27]);
    expect(supplementaryGroups('Groups:\t\n')).toEqual([]);
    const maps = [
      { containerID: 0, hostID: 1000, size: 1 },
      { containerID: 1, hostID: 300000, size: 65536 },
    ];
    expect(keptGroups([1000, 27, 300004], maps)).toEqual([0, 5]);
  });
});

describe('subid files', () => {
  it('parses owner:start:count by name or id and checks containment', () => {
    const r = subIdRanges('# c\nalice:10:5\n1000:100:10\nbad\nalice:x:1\n', 'alice', 1000);
    expect(r).toEqual([
      { start: 10, count: 5 },
      { start: 100, count: 10 },
    ]);
    expect(withinRanges(r, 10, 5)).toBe(true);
    expect(withinRanges(r, 11, 5)).toBe(false);
    expect(withinRanges(r, 105, 5)).toBe(true);
  });
});

describe('rootless cgroups', () => {
  it('limits are every resource field set but device rules', () => {
    expect(askedLimits(undefined)).toEqual([]);
    expect(askedLimits({ devices: [{ allow: false, access: 'rwm' }], memory: {} })).toEqual([]);
    expect(askedLimits({ memory: { limit: 1 }, pids: { limit: 5 } })).toEqual(['linux.resources.memory', 'linux.resources.pids']);
  });

  it('own cgroup directories per hierarchy, from /proc/self/cgroup', () => {
    const text = '3:cpu,cpuacct:/user.slice\n2:name=systemd:/user.slice/s\n1:memory:/\n0::/user.slice/s\n';
    const v1 = ownCgroupDirs(text, {
      version: 1,
      hierarchies: [
        { dir: 'cpu,cpuacct', options: 'cpuacct,cpu' },
        { dir: 'systemd', options: 'name=systemd' },
        { dir: 'memory', options: 'memory' },
        { dir: 'pids', options: 'pids' },
      ],
    });
    expect(v1).toEqual({
      'cpu,cpuacct': '/sys/fs/cgroup/cpu,cpuacct/user.slice',
      systemd: '/sys/fs/cgroup/systemd/user.slice/s',
      memory: '/sys/fs/cgroup/memory',
    });
    expect(ownCgroupDirs(text, { version: 2 })).toEqual({ '': '/sys/fs/cgroup/user.slice/s' });
  });
});

describe('rootless podman: root of a user namespace', () => {
  it('detects a user namespace from uid_map, and counts it as rootless in auto mode', () => {
    expect(inUserNamespace('         0          0 4294967295\n')).toBe(false);
    expect(inUserNamespace('         0       1000          1\n         1     100000      65536\n')).toBe(true);
    expect(rootlessMode('auto', 0, true)).toBe(true);
    expect(rootlessMode('false', 0, true)).toBe(false);
  });

  it('honours XDG_RUNTIME_DIR there unless USER is root (runc)', () => {
    expect(defaultStateRoot(true, { XDG_RUNTIME_DIR: '/run/user/1000', USER: 'alice' }, 0)).toBe('/run/user/1000/kc');
    expect(defaultStateRoot(true, { XDG_RUNTIME_DIR: '/run/user/1000', USER: 'root' }, 0)).toBe('/run/kc');
  });
});
