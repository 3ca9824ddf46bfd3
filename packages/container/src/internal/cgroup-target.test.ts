import { describe, expect, it } from 'vitest';
import { cgroupTarget } from './cgroup-target.js';

describe('cgroupTarget (runc rules for the cgroup driver)', () => {
  it('keeps a plain path (or none) on the cgroup filesystem without --systemd-cgroup', () => {
    expect(cgroupTarget(undefined, 'c1')).toEqual({ driver: 'cgroupfs', path: '/kc/c1' });
    expect(cgroupTarget('', 'c1')).toEqual({ driver: 'cgroupfs', path: '/kc/c1' });
    expect(cgroupTarget('my/group', 'c1')).toEqual({ driver: 'cgroupfs', path: '/my/group' });
  });

  it('takes a slice:prefix:name path as systemd, with or without the flag', () => {
    const want = { driver: 'systemd', path: '/system.slice/kc-c1.scope', systemdPath: 'system.slice:kc:c1', unit: 'kc-c1.scope' };
    expect(cgroupTarget('system.slice:kc:c1', 'other')).toEqual(want);
    expect(cgroupTarget('system.slice:kc:c1', 'other', true)).toEqual(want);
    expect(cgroupTarget('machine-pods.slice:libpod:abc', 'x')).toMatchObject({
      path: '/machine.slice/machine-pods.slice/libpod-abc.scope',
      unit: 'libpod-abc.scope',
    });
    expect(cgroupTarget(':kc:c1', 'x')).toMatchObject({ path: '/system.slice/kc-c1.scope' });
  });

  it('with --systemd-cgroup, a missing path is system.slice:kc:<id> and a plain one is refused naming the field', () => {
    expect(cgroupTarget(undefined, 'c1', true)).toEqual({
      driver: 'systemd',
      path: '/system.slice/kc-c1.scope',
      systemdPath: 'system.slice:kc:c1',
      unit: 'kc-c1.scope',
    });
    expect(() => cgroupTarget('/kc/c1', 'c1', true)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'linux.cgroupsPath' }));
  });

  it('refuses a name systemd would refuse before anything is made', () => {
    expect(() => cgroupTarget('a--b.slice:kc:c1', 'c1')).toThrow(expect.objectContaining({ name: 'ContainerError', code: 'INVALID_ARGUMENT' }));
    expect(() => cgroupTarget('system.slice:kc:c 1', 'c1')).toThrow(expect.objectContaining({ name: 'ContainerError', code: 'INVALID_ARGUMENT' }));
  });
});
