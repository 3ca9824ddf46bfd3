import { describe, expect, it } from 'vitest';
import { toCgroupResources, toDeviceRule, untranslatedResources } from './resources.js';

describe('toCgroupResources', () => {
  it('maps memory, cpu, cpuset and pids onto @kc/cgroups fields', () => {
    const r = toCgroupResources({
      memory: { limit: 268435456, swap: 536870912, reservation: 1 << 20, swappiness: 10 },
      cpu: { quota: 50000, period: 100000, shares: 1024, cpus: '0', mems: '0' },
      pids: { limit: 64 },
    });
    expect(r.memory).toEqual({ max: 268435456, swapMax: 268435456, low: 1 << 20, swappiness: 10 });
    expect(r.cpu).toEqual({ quota: 50000, period: 100000, shares: 1024 });
    expect(r.cpuset).toEqual({ cpus: '0', mems: '0' });
    expect(r.pids).toEqual({ max: 64 });
  });
  it('turns OCI -1 and 0 "unlimited" values into max', () => {
    const r = toCgroupResources({ memory: { limit: -1, swap: -1 }, cpu: { quota: -1 }, pids: { limit: 0 } });
    expect(r.memory).toEqual({ max: 'max', swapMax: 'max' });
    expect(r.cpu).toEqual({ quota: 'max' });
    expect(r.pids).toEqual({ max: 'max' });
  });
  const DENY_ALL = { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' };
  const defaults = (without: string[] = []) =>
    [
      ['c', '*', '*', 'm', ''],
      ['b', '*', '*', 'm', ''],
      ['c', 1, 3, 'rwm', '/dev/null'],
      ['c', 1, 8, 'rwm', '/dev/random'],
      ['c', 1, 7, 'rwm', '/dev/full'],
      ['c', 5, 0, 'rwm', '/dev/tty'],
      ['c', 1, 5, 'rwm', '/dev/zero'],
      ['c', 1, 9, 'rwm', '/dev/urandom'],
      ['c', 136, '*', 'rwm', ''],
      ['c', 5, 2, 'rwm', ''],
      ['c', 10, 200, 'rwm', ''],
    ]
      .filter(([, , , , path]) => !without.includes(path as string))
      .map(([type, major, minor, access]) => ({ allow: true, type, major, minor, access }));
  it("denies all, then applies the config's rules in order, then runc 1.1's default allow-list", () => {
    const r = toCgroupResources({
      devices: [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
        { allow: false, type: 'c', major: 1, minor: 3 },
      ],
    });
    expect(r.devices).toEqual([
      DENY_ALL,
      DENY_ALL,
      { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
      { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' },
      ...defaults(),
    ]);
  });
  it('applies the defaults with no linux.resources at all (runc does whatever the config says)', () => {
    expect(toCgroupResources(undefined)).toEqual({ devices: [DENY_ALL, ...defaults()] });
    expect(toCgroupResources({ pids: { limit: 5 } }).devices).toEqual([DENY_ALL, ...defaults()]);
  });
  it('leaves out a default whose node linux.devices replaces, and gives linux.devices no rule of its own (as runc)', () => {
    const r = toCgroupResources(
      { devices: [{ allow: true, type: 'c', major: 1, minor: 3, access: 'r' }] },
      { linuxDevices: [{ path: '/dev/null' }, { path: '/dev/fuse' }] },
    );
    expect(r.devices).toEqual([DENY_ALL, { allow: true, type: 'c', major: 1, minor: 3, access: 'r' }, ...defaults(['/dev/null'])]);
  });
  it('without a v1 devices controller, writes rules only when the config has some (so @kc/cgroups refuses them)', () => {
    expect(toCgroupResources(undefined, { deviceCgroup: false })).toEqual({});
    expect(toCgroupResources({ devices: [] }, { deviceCgroup: false }).devices).toEqual([DENY_ALL, ...defaults()]);
  });
  it('maps blkio weight and huge page limits', () => {
    expect(toCgroupResources({ blockIO: { weight: 500 }, hugepageLimits: [{ pageSize: '2MB', limit: 1 << 21 }] }, { deviceCgroup: false })).toEqual({
      io: { blkioWeight: 500 },
      hugetlb: { '2MB': 1 << 21 },
    });
  });
});

describe('toDeviceRule and untranslatedResources', () => {
  it('uses wildcards for absent or negative numbers', () => {
    expect(toDeviceRule({ allow: true, type: 'c', major: 10, minor: null, access: 'rw' })).toEqual({
      allow: true,
      type: 'c',
      major: 10,
      minor: '*',
      access: 'rw',
    });
  });
  it('names the fields @kc/cgroups cannot express', () => {
    expect(untranslatedResources({ memory: { disableOOMKiller: true }, unified: { 'memory.high': '1M' } })).toEqual(['linux.resources.unified']);
    expect(untranslatedResources({ memory: { disableOOMKiller: false }, unified: {} })).toEqual([]);
  });
  it("turns disableOOMKiller into the v1 memory controller's oom_control", () => {
    expect(toCgroupResources({ memory: { limit: 1 << 26, disableOOMKiller: true } }).memory).toEqual({ max: 1 << 26, oomKillDisable: true });
  });
});
