import { describe, expect, it } from 'vitest';
import { CgroupError } from '../errors.js';
import type { CgroupFiles, FileWrite } from './file-io.js';
import type { Resources } from './types.js';
import { resourcesToV1, v1ToResources } from './v1-files.js';
import { resourcesToV2, v2ToResources } from './v2-files.js';

/** An in-memory cgroup directory per controller that applies writes like the kernel's simple files. */
function fakeFiles(initial: Record<string, string>): CgroupFiles & { apply(w: FileWrite[]): void } {
  const t = new Map(Object.entries(initial));
  return {
    read: (c, f) => t.get(`${c}/${f}`),
    list: (c) => [...t.keys()].filter((k) => k.startsWith(`${c}/`)).map((k) => k.slice(c.length + 1)),
    apply(ws) {
      for (const w of ws) {
        const key = `${w.controller}/${w.file}`;
        if (w.file === 'cpu.max' || w.file === 'io.weight') t.set(key, w.value);
        else if (w.file === 'io.max') t.set(key, `${t.get(key) ?? ''}${w.value}\n`);
        else if (w.value === '-1') t.set(key, '9223372036854771712');
        else t.set(key, w.value);
      }
    },
  };
}

const v2Initial = {
  'memory/memory.max': 'max',
  'memory/memory.high': 'max',
  'memory/memory.low': '0',
  'memory/memory.min': '0',
  'memory/memory.swap.max': 'max',
  'memory/memory.oom.group': '0',
  'cpu/cpu.weight': '100',
  'cpu/cpu.max': 'max 100000',
  'cpu/cpu.max.burst': '0',
  'cpu/cpu.idle': '0',
  'pids/pids.max': 'max',
  'io/io.weight': 'default 100',
  'io/io.max': '',
  'hugetlb/hugetlb.2MB.max': 'max',
};
const v1Initial = {
  'memory/memory.limit_in_bytes': '9223372036854771712',
  'memory/memory.soft_limit_in_bytes': '9223372036854771712',
  'memory/memory.memsw.limit_in_bytes': '9223372036854771712',
  'memory/memory.swappiness': '60',
  'cpu/cpu.shares': '1024',
  'cpu/cpu.cfs_quota_us': '-1',
  'cpu/cpu.cfs_period_us': '100000',
  'cpu/cpu.cfs_burst_us': '0',
  'cpu/cpu.idle': '0',
  'pids/pids.max': 'max',
  'blkio/blkio.weight': '500',
};

describe('v2 translation', () => {
  it('writes the documented files and reads the same object back', () => {
    const r: Resources = {
      memory: {
        max: 64 << 20,
        high: 48 << 20,
        low: 1 << 20,
        min: 0,
        swapMax: 0,
        oomGroup: true,
      },
      cpu: {
        weight: 50,
        quota: 20000,
        period: 100000,
        burst: 1000,
        idle: false,
      },
      pids: { max: 32 },
      io: {
        weight: 300,
        devices: [{ major: 8, minor: 0, readBps: 1048576, writeIops: 'max' }],
      },
      hugetlb: { '2MB': 'max' },
    };
    const f = fakeFiles(v2Initial);
    const writes = resourcesToV2(r, f);
    expect(writes.find((w) => w.file === 'cpu.max')?.value).toBe('20000 100000');
    expect(writes.find((w) => w.file === 'io.max')?.value).toBe('8:0 rbps=1048576 wiops=max');
    f.apply(writes);
    expect(v2ToResources(f, ['memory', 'cpu', 'pids', 'io', 'hugetlb'])).toEqual(r);
  });
  it('converts v1-scale shares and blkio weight like runc/crun', () => {
    const w = resourcesToV2({ cpu: { shares: 1024 }, io: { blkioWeight: 1000 } }, fakeFiles(v2Initial));
    expect(w).toContainEqual({
      controller: 'cpu',
      file: 'cpu.weight',
      value: '100',
    });
    expect(w).toContainEqual({
      controller: 'io',
      file: 'io.weight',
      value: 'default 10000',
    });
  });
  it('keeps the current quota when only the period changes', () => {
    const w = resourcesToV2({ cpu: { period: 50000 } }, fakeFiles({ 'cpu/cpu.max': '30000 100000' }));
    expect(w).toEqual([{ controller: 'cpu', file: 'cpu.max', value: '30000 50000' }]);
  });
  it('rejects v1-only knobs before writing', () => {
    expect(() => resourcesToV2({ memory: { swappiness: 10 } }, fakeFiles({}))).toThrow(CgroupError);
    expect(() =>
      resourcesToV2(
        {
          devices: [{ allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' }],
        },
        fakeFiles({}),
      ),
    ).toThrow(/eBPF/);
  });
});

describe('v1 translation', () => {
  it('writes the documented files and reads the same object back', () => {
    const r: Resources = {
      memory: {
        max: 64 << 20,
        low: 1 << 20,
        swapMax: 16 << 20,
        swappiness: 10,
      },
      cpu: { shares: 512, quota: 20000, period: 100000, burst: 0, idle: false },
      pids: { max: 32 },
      io: { blkioWeight: 200 },
    };
    const f = fakeFiles(v1Initial);
    const writes = resourcesToV1(r, f);
    expect(writes).toContainEqual({
      controller: 'memory',
      file: 'memory.memsw.limit_in_bytes',
      value: String(80 << 20),
    });
    f.apply(writes);
    expect(v1ToResources(f, ['memory', 'cpu', 'pids', 'blkio'])).toEqual(r);
  });
  it('orders memory and memory+swap so memory <= memsw holds throughout', () => {
    const lower = resourcesToV1({ memory: { max: 10, swapMax: 0 } }, fakeFiles({ 'memory/memory.memsw.limit_in_bytes': '100' }));
    expect(lower.map((w) => w.file)).toEqual(['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
    const raise = resourcesToV1({ memory: { max: 1000, swapMax: 0 } }, fakeFiles({ 'memory/memory.memsw.limit_in_bytes': '100' }));
    expect(raise.map((w) => w.file)).toEqual(['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes']);
  });
  it('converts v2-scale weights with the inverse mapping', () => {
    const w = resourcesToV1({ cpu: { weight: 100, quota: 'max' }, io: { weight: 10000 } }, fakeFiles(v1Initial));
    expect(w).toContainEqual({
      controller: 'cpu',
      file: 'cpu.shares',
      value: '1024',
    });
    expect(w).toContainEqual({
      controller: 'cpu',
      file: 'cpu.cfs_quota_us',
      value: '-1',
    });
    expect(w).toContainEqual({
      controller: 'blkio',
      file: 'blkio.weight',
      value: '1000',
    });
  });
  it('writes device rules and rejects v2-only knobs', () => {
    const w = resourcesToV1(
      {
        devices: [
          { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' },
          { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' },
        ],
      },
      fakeFiles({}),
    );
    expect(w.map((x) => `${x.file}:${x.value}`)).toEqual(['devices.deny:a', 'devices.allow:c 1:3 rw']);
    expect(() => resourcesToV1({ memory: { high: 5 } }, fakeFiles({}))).toThrow(/not available on cgroup v1/);
  });
});
