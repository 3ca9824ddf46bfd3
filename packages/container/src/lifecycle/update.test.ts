import { describe, expect, it } from 'vitest';
import { ContainerError } from '../errors.js';
import { planUpdate, restoreWritten, rollbackResources, writeSteps } from './update.js';

describe('planUpdate (runc 1.1 update semantics)', () => {
  it('writes only the changed fields and merges them into the recorded resources', () => {
    const plan = planUpdate(
      { memory: { limit: 100 << 20 }, pids: { limit: 10 }, devices: [{ allow: false, access: 'rwm' }] },
      { pids: { limit: 50 }, cpu: { shares: 512 } },
    );
    expect(plan.write).toEqual({ pids: { max: 50 }, cpu: { shares: 512 } });
    expect(plan.merged).toEqual({ memory: { limit: 100 << 20 }, pids: { limit: 50 }, cpu: { shares: 512 }, devices: [{ allow: false, access: 'rwm' }] });
  });
  it('reads 0 and "" as unchanged', () => {
    const plan = planUpdate(
      { pids: { limit: 10 } },
      { memory: { limit: 0, swap: 0 }, cpu: { quota: 0, cpus: '' }, pids: { limit: 0 }, blockIO: { weight: 0 } },
    );
    expect(plan.write).toEqual({});
    expect(plan.merged).toEqual({ pids: { limit: 10 } });
  });
  it('converts memory+swap to swap on top of the limit, taking the recorded limit when only swap is given', () => {
    expect(planUpdate(undefined, { memory: { limit: 64, swap: 128 } }).write).toEqual({ memory: { max: 64, swapMax: 64 } });
    expect(planUpdate({ memory: { limit: 100 } }, { memory: { swap: 300 } }).write).toEqual({ memory: { max: 100, swapMax: 200 } });
    expect(() => planUpdate(undefined, { memory: { swap: 300 } })).toThrow(/without memory limit/);
    expect(() => planUpdate(undefined, { memory: { limit: 300, swap: 100 } })).toThrow(/should be greater/);
  });
  it('makes swap unlimited with unlimited memory', () => {
    expect(planUpdate({ memory: { limit: 5, swap: 10 } }, { memory: { limit: -1 } }).write).toEqual({ memory: { max: 'max', swapMax: 'max' } });
  });
  it('keeps the other of quota and period when one is given', () => {
    expect(planUpdate({ cpu: { quota: 5000, period: 50000 } }, { cpu: { quota: 20000 } }).write).toEqual({ cpu: { quota: 20000, period: 50000 } });
    expect(planUpdate({ cpu: { quota: 5000, period: 50000 } }, { cpu: { period: 100000 } }).write).toEqual({ cpu: { quota: 5000, period: 100000 } });
  });
  it('reports kernel memory as ignored', () => {
    const plan = planUpdate(undefined, { memory: { kernel: 1 << 20 } });
    expect(plan.ignored).toEqual(['memory.kernel']);
    expect(plan.write).toEqual({});
  });
  it('fails closed on fields it cannot apply, naming them', () => {
    const cases: [object, string][] = [
      [{ cpu: { realtimeRuntime: 1000 } }, 'linux.resources.cpu.realtimeRuntime'],
      [{ unified: { 'memory.high': '1' } }, 'linux.resources.unified'],
      [{ devices: [{ allow: true, access: 'r' }] }, 'linux.resources.devices'],
      [{ network: { classID: 1 } }, 'linux.resources.network'],
      [{ memory: { limit: 'x' } }, 'linux.resources.memory.limit'],
      [{ memory: { limit: -2 } }, 'linux.resources.memory.limit'],
    ];
    for (const [patch, field] of cases) {
      let err: unknown;
      try {
        planUpdate(undefined, patch);
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(ContainerError);
      expect((err as ContainerError).field).toBe(field);
    }
  });
});

describe('rollbackResources', () => {
  it('puts back the recorded values of the controllers written', () => {
    expect(rollbackResources({ memory: { limit: 100, swap: 200 }, pids: { limit: 7 } }, { memory: { max: 5 }, pids: { max: 9 } })).toEqual({
      memory: { max: 100, swapMax: 100 },
      pids: { max: 7 },
    });
    expect(rollbackResources(undefined, { pids: { max: 9 } })).toEqual({ pids: { max: 'max' } });
  });
});

describe('restoreWritten', () => {
  it("puts back the kernel's values of exactly the fields written, the record's where the kernel gave none", () => {
    // v2 after `update --memory 48M` alone: the kernel kept swap.max 32M; the record's limit+swap says 16M.
    const before = { memory: { max: 48 << 20, swapMax: 32 << 20, low: 5 }, pids: { max: 30 }, cpu: { weight: 59 } };
    const written = { memory: { max: 200 << 20, swapMax: 1 }, cpuset: { cpus: '999' } };
    const fallback = { memory: { max: 48 << 20, swapMax: 16 << 20 }, cpuset: { cpus: '0' } };
    expect(restoreWritten(before, written, fallback)).toEqual({ memory: { max: 48 << 20, swapMax: 32 << 20 }, cpuset: { cpus: '0' } });
    expect(restoreWritten({}, { pids: { max: 9 } }, {})).toEqual({});
  });
});

describe('writeSteps', () => {
  it('writes the memory limit and swap alone, first', () => {
    expect(writeSteps({ memory: { max: 1, swapMax: 2, low: 3 }, pids: { max: 4 } })).toEqual([
      { memory: { max: 1, swapMax: 2 } },
      { memory: { low: 3 }, pids: { max: 4 } },
    ]);
    expect(writeSteps({ pids: { max: 4 } })).toEqual([{ pids: { max: 4 } }]);
    expect(writeSteps({})).toEqual([]);
  });
});
