import { describe, expect, it } from 'vitest';
import { deviceRuleText, resourceWrites, sharesToWeight } from './resources.js';

describe('resourceWrites', () => {
  const res = { memory: { limit: 268435456, swap: 536870912 }, cpu: { quota: 50000, period: 100000, shares: 1024 }, pids: { limit: 64 } };
  it('maps limits to v1 files per controller', () => {
    const w = resourceWrites(res, 1);
    expect(w).toContainEqual({ controller: 'memory', file: 'memory.limit_in_bytes', value: '268435456' });
    expect(w).toContainEqual({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: '50000' });
    expect(w).toContainEqual({ controller: 'pids', file: 'pids.max', value: '64' });
    expect(w.findIndex((x) => x.file === 'cpu.cfs_period_us')).toBeLessThan(w.findIndex((x) => x.file === 'cpu.cfs_quota_us'));
  });
  it('maps limits to v2 files, with swap counted apart from memory', () => {
    const w = resourceWrites(res, 2);
    expect(w).toContainEqual({ controller: '', file: 'memory.max', value: '268435456' });
    expect(w).toContainEqual({ controller: '', file: 'memory.swap.max', value: '268435456', optional: true });
    expect(w).toContainEqual({ controller: '', file: 'cpu.max', value: '50000 100000' });
    expect(w).toContainEqual({ controller: '', file: 'cpu.weight', value: String(sharesToWeight(1024)) });
  });
  it('denies all devices then allows the defaults, in order', () => {
    const w = resourceWrites({ devices: [{ allow: false, access: 'rwm' }] }, 1);
    expect(w[0]).toEqual({ controller: 'devices', file: 'devices.deny', value: 'a' });
    expect(w.map((x) => x.value)).toContain('c 1:3 rwm');
    expect(w.map((x) => x.value)).toContain('c 136:* rwm');
  });
  it('writes nothing without resources', () => {
    expect(resourceWrites(undefined, 1)).toEqual([]);
  });
});

describe('deviceRuleText and sharesToWeight', () => {
  it('formats rules like devices.allow', () => {
    expect(deviceRuleText({ allow: true, type: 'c', major: 10, minor: null, access: 'rw' })).toBe('c 10:* rw');
    expect(deviceRuleText({ allow: false })).toBe('a');
  });
  it('maps the share range onto the weight range', () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(262144)).toBe(10000);
  });
});
