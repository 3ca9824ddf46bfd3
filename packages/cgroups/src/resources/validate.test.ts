import { describe, expect, it } from 'vitest';
import { CgroupError } from '../errors.js';
import { formatCpuList, parseCpuList } from './cpu-list.js';
import type { Resources } from './types.js';
import { validateResources } from './validate.js';

const machine = { onlineCpus: '0-1', onlineMems: '0' };
const fieldOf = (r: unknown): string | undefined => {
  try {
    validateResources(r as Resources, machine);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(CgroupError);
    expect((e as CgroupError).code).toBe('INVALID_ARGUMENT');
    return (e as CgroupError).field;
  }
};

describe('validateResources', () => {
  it('accepts a full valid object', () => {
    expect(
      fieldOf({
        memory: { max: 1 << 20, swapMax: 'max' },
        cpu: { weight: 100, quota: 20000, period: 100000 },
        cpuset: { cpus: '0-1', mems: '0' },
        pids: { max: 10 },
      }),
    ).toBeUndefined();
  });
  it('rejects negative values', () => {
    expect(fieldOf({ memory: { max: -1 } })).toBe('memory.max');
    expect(fieldOf({ pids: { max: -5 } })).toBe('pids.max');
  });
  it('rejects unknown controllers and fields', () => {
    expect(fieldOf({ gpu: { max: 1 } })).toBe('resources.gpu');
    expect(fieldOf({ memory: { limit: 1 } })).toBe('resources.memory.limit');
  });
  it('rejects cpusets outside the machine', () => {
    expect(fieldOf({ cpuset: { cpus: '0-7' } })).toBe('cpuset.cpus');
    expect(fieldOf({ cpuset: { cpus: '1-0' } })).toBe('cpuset.cpus');
    expect(fieldOf({ cpuset: { mems: '1' } })).toBe('cpuset.mems');
  });
  it('names the CPUs that are not online as ranges, not one by one', () => {
    expect(() => validateResources({ cpuset: { cpus: '0-99' } }, machine)).toThrow(/: 2-99 not online on this machine \(online: 0-1\)$/);
    expect(() => validateResources({ cpuset: { cpus: '1,3,5-6,9' } }, machine)).toThrow(/: 3,5-6,9 not online/);
  });
  it('rejects out-of-range and conflicting cpu values', () => {
    expect(fieldOf({ cpu: { weight: 0 } })).toBe('cpu.weight');
    expect(fieldOf({ cpu: { shares: 1 } })).toBe('cpu.shares');
    expect(fieldOf({ cpu: { quota: 10 } })).toBe('cpu.quota');
    expect(fieldOf({ cpu: { weight: 5, shares: 5 } })).toBe('cpu');
    expect(fieldOf({ cpu: { period: 1.5 } })).toBe('cpu.period');
  });
  it('rejects bad device rules and hugetlb sizes', () => {
    expect(
      fieldOf({
        devices: [{ allow: true, type: 'x', major: 1, minor: 3, access: 'rwm' }],
      }),
    ).toBe('devices[0].type');
    expect(fieldOf({ hugetlb: { '2 MB': 1 } })).toBe('hugetlb.2 MB');
  });
});

describe('cpu lists', () => {
  it('round-trips', () => {
    expect(parseCpuList('0-2,5,7-8')).toEqual([0, 1, 2, 5, 7, 8]);
    expect(formatCpuList([8, 7, 5, 0, 1, 2])).toBe('0-2,5,7-8');
    expect(parseCpuList('a')).toBeUndefined();
  });
});
