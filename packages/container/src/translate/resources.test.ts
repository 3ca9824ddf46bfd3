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
  it('denies all devices, then allows the config rules, the defaults and linux.devices, in order', () => {
    const r = toCgroupResources({ devices: [{ allow: false, access: 'rwm' }] }, [{ allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }]);
    expect(r.devices?.[0]).toEqual({ allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' });
    expect(r.devices).toContainEqual({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
    expect(r.devices).toContainEqual({ allow: true, type: 'c', major: 136, minor: '*', access: 'rwm' });
    expect(r.devices?.at(-1)).toEqual({ allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' });
  });
  it('sets nothing without resources, and no device rules without linux.resources.devices', () => {
    expect(toCgroupResources(undefined)).toEqual({});
    expect(toCgroupResources({}, [{ allow: true, type: 'c', major: 1, minor: 1 }])).toEqual({});
  });
  it('maps blkio weight and huge page limits', () => {
    expect(toCgroupResources({ blockIO: { weight: 500 }, hugepageLimits: [{ pageSize: '2MB', limit: 1 << 21 }] })).toEqual({
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
    expect(untranslatedResources({ memory: { disableOOMKiller: true }, unified: { 'memory.high': '1M' } })).toEqual([
      'linux.resources.memory.disableOOMKiller',
      'linux.resources.unified',
    ]);
    expect(untranslatedResources({ memory: { disableOOMKiller: false }, unified: {} })).toEqual([]);
  });
});
