import { describe, expect, it } from 'vitest';
import { parsePressure } from './parse.js';
import { formatTrigger, watchPressureFile } from './triggers.js';

describe('parsePressure', () => {
  it('parses some and full lines', () => {
    const p = parsePressure('some avg10=1.50 avg60=0.20 avg300=0.00 total=12345\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=7\n');
    expect(p.some).toEqual({ avg10: 1.5, avg60: 0.2, avg300: 0, total: 12345 });
    expect(p.full?.total).toBe(7);
  });
});

describe('formatTrigger', () => {
  it('formats psi.rst trigger lines and rejects bad ones', () => {
    expect(formatTrigger({ kind: 'some', stallUs: 150000, windowUs: 2000000 })).toBe('some 150000 2000000');
    expect(() => formatTrigger({ kind: 'some', stallUs: 3_000_000, windowUs: 2_000_000 })).toThrow(/stallUs/);
    expect(() => formatTrigger({ kind: 'full', stallUs: 1, windowUs: 100 })).toThrow(/windowUs/);
  });
});

describe('watchPressureFile', () => {
  it('rejects a malformed trigger before opening the file (no cgroup, no PSI needed)', () => {
    // The file does not exist: had it been opened first, the error would be ENOENT.
    expect(() => watchPressureFile('/nonexistent/kc/memory.pressure', { kind: 'some', stallUs: 5, windowUs: 10 })).toThrow(
      expect.objectContaining({ name: 'CgroupError', code: 'INVALID_ARGUMENT' }),
    );
  });
});
