import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blkioWeightToIoWeight, cpuSharesToWeight, cpuWeightToShares, ioWeightToBlkioWeight, memswToSwap, swapToMemsw } from './conversions.js';

describe('cpu shares <-> weight', () => {
  it('maps the fixed points of the runc/crun quadratic', () => {
    expect(cpuSharesToWeight(0)).toBe(0);
    expect(cpuSharesToWeight(1)).toBe(1);
    expect(cpuSharesToWeight(2)).toBe(1);
    expect(cpuSharesToWeight(1024)).toBe(100);
    expect(cpuSharesToWeight(262144)).toBe(10000);
    expect(cpuSharesToWeight(500000)).toBe(10000);
    // Compared bit for bit against the C formula in test/conversions-oracle.privileged.test.ts.
    expect(cpuSharesToWeight(512)).toBe(59);
    expect(cpuSharesToWeight(2048)).toBe(174);
    expect(cpuSharesToWeight(10000)).toBe(627);
  });
  it('is not the old linear mapping', () => {
    expect(cpuSharesToWeight(1024)).not.toBe(1 + Math.floor(((1024 - 2) * 9999) / 262142));
  });
  it('weight -> shares -> weight is the identity on 1..10000', () => {
    for (let w = 1; w <= 10000; w++) expect(cpuSharesToWeight(cpuWeightToShares(w))).toBe(w);
    expect(cpuWeightToShares(100)).toBe(1024);
  });
  it('is monotonic', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 262143 }), (s) => cpuSharesToWeight(s) <= cpuSharesToWeight(s + 1)));
  });
});

describe('blkio weight <-> io weight', () => {
  it('uses 1 + (w - 10) * 9999 / 990 in integers', () => {
    expect(blkioWeightToIoWeight(10)).toBe(1);
    expect(blkioWeightToIoWeight(500)).toBe(1 + Math.floor((490 * 9999) / 990));
    expect(blkioWeightToIoWeight(1000)).toBe(10000);
    expect(blkioWeightToIoWeight(0)).toBe(0);
  });
  it('blkio -> io -> blkio is the identity', () => {
    for (let b = 10; b <= 1000; b++) expect(ioWeightToBlkioWeight(blkioWeightToIoWeight(b))).toBe(b);
  });
});

describe('swap', () => {
  it('converts between v2 swap and v1 memory+swap', () => {
    expect(swapToMemsw(100, 50)).toBe(150);
    expect(swapToMemsw(100, 'max')).toBe('max');
    expect(memswToSwap(100, 150)).toBe(50);
    expect(memswToSwap(100, 'max')).toBe('max');
  });
});
