import { describe, expect, it } from 'vitest';
import { CgroupError } from '../errors.js';
import { cpuSharesToWeight } from '../resources/conversions.js';
import { deviceAllowProperties } from './device-properties.js';
import { cpuListToMask, cpuQuotaPerSec, UINT64_INFINITY, unitProperties } from './properties.js';

const byName = (r: ReturnType<typeof unitProperties>) => Object.fromEntries(r.properties.map((p) => [p.name, [p.type, p.value]]));

describe('unitProperties', () => {
  it('gives systemd what it knows, with D-Bus types, and keeps the rest for the files', () => {
    const r = unitProperties({
      memory: { max: 64 << 20, low: 1 << 20, swapMax: 'max', oomGroup: true },
      cpu: { shares: 512, quota: 50_000, period: 100_000, burst: 1000 },
      cpuset: { cpus: '0-2,9', mems: '0' },
      pids: { max: 'max' },
      io: { weight: 300, devices: [{ major: 8, minor: 0, readBps: 1000 }] },
      hugetlb: { '2MB': 0 },
    });
    expect(byName(r)).toEqual({
      MemoryMax: ['t', 67108864n],
      MemoryLow: ['t', 1048576n],
      MemorySwapMax: ['t', UINT64_INFINITY],
      CPUWeight: ['t', BigInt(cpuSharesToWeight(512))], // the package's one v1→v2 conversion, as the file backend writes
      CPUQuotaPeriodUSec: ['t', 100000n],
      CPUQuotaPerSecUSec: ['t', 500000n],
      AllowedCPUs: ['ay', Buffer.from([0b0000_0111, 0b0000_0010])],
      AllowedMemoryNodes: ['ay', Buffer.from([1])],
      TasksMax: ['t', UINT64_INFINITY],
      IOWeight: ['t', 300n],
    });
    expect(r.rest).toEqual({
      memory: { oomGroup: true },
      cpu: { burst: 1000 },
      io: { devices: [{ major: 8, minor: 0, readBps: 1000 }] },
      hugetlb: { '2MB': 0 },
    });
  });

  it('sends an unlimited quota as infinity and leaves pids.max 0 to the file (systemd takes no TasksMax=0)', () => {
    const r = unitProperties({ cpu: { quota: 'max' }, pids: { max: 0 } });
    expect(byName(r)).toEqual({ CPUQuotaPerSecUSec: ['t', UINT64_INFINITY] });
    expect(r.rest).toEqual({ pids: { max: 0 } });
  });

  it('rounds a quota up to 10 ms per second, as runc', () => {
    expect(cpuQuotaPerSec(12_345, 100_000)).toEqual({ perSecUs: 130_000n, quotaUs: 13_000 });
    expect(cpuQuotaPerSec(50_000, 100_000)).toEqual({ perSecUs: 500_000n, quotaUs: 50_000 });
    expect(cpuQuotaPerSec(200_000, 1_000_000)).toEqual({ perSecUs: 200_000n, quotaUs: 200_000 });
  });

  it('refuses an empty or malformed cpuset list with INVALID_ARGUMENT', () => {
    expect(() => cpuListToMask('', 'cpuset.cpus')).toThrow(CgroupError);
    expect(() => cpuListToMask('3-1', 'cpuset.cpus')).toThrow(/cpuset list/);
  });
});

describe('deviceAllowProperties', () => {
  const deny = { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' } as const;

  it('turns an allow-list into DevicePolicy=strict with /dev/{char,block} paths and group globs', () => {
    const r = deviceAllowProperties([
      deny,
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
      { allow: true, type: 'c', major: 136, minor: '*', access: 'rw' },
      { allow: true, type: 'b', major: '*', minor: '*', access: 'm' },
      { allow: true, type: 'b', major: 7, minor: 0, access: 'r' },
    ]);
    expect(r.exact).toBe(true);
    expect(r.properties).toEqual([
      { name: 'DeviceAllow', type: 'a(ss)', value: [] },
      { name: 'DevicePolicy', type: 's', value: 'strict' },
      {
        name: 'DeviceAllow',
        type: 'a(ss)',
        value: [
          ['/dev/char/1:3', 'rwm'],
          ['char-136', 'rw'],
          ['block-*', 'm'],
          ['/dev/block/7:0', 'r'],
        ],
      },
    ]);
  });

  it('says when systemd cannot express the rules: a deny-list, or a *:minor rule', () => {
    expect(deviceAllowProperties([{ allow: true, type: 'a', major: '*', minor: '*', access: 'rwm' }]).exact).toBe(true);
    const denyList = deviceAllowProperties([
      { allow: true, type: 'a', major: '*', minor: '*', access: 'rwm' },
      { allow: false, type: 'c', major: 1, minor: 3, access: 'w' },
    ]);
    expect(denyList.exact).toBe(false);
    expect(denyList.properties[1]).toEqual({ name: 'DevicePolicy', type: 's', value: 'auto' });
    const anyMajor = deviceAllowProperties([deny, { allow: true, type: 'c', major: '*', minor: 5, access: 'r' }]);
    expect(anyMajor.exact).toBe(false);
    expect(anyMajor.properties[2]?.value).toEqual([['char-*', 'r']]);
    expect(unitProperties({ devices: [deny, { allow: true, type: 'c', major: '*', minor: 5, access: 'r' }] }).rest.devices).toHaveLength(2);
  });

  it('refuses impossible majors before anything is sent', () => {
    expect(() => deviceAllowProperties([{ allow: true, type: 'c', major: 5000, minor: 1, access: 'r' }])).toThrow(CgroupError);
  });
});
