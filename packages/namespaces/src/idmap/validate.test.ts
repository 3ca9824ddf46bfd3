import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NamespaceError } from '../errors.js';
import { formatIdMap, mapToHost, parseIdMap, validateIdMap } from './validate.js';
import { parseSubIds } from './subids.js';

const fieldOf = (fn: () => void): string | undefined => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NamespaceError);
    expect((e as NamespaceError).code).toBe('INVALID_ARGUMENT');
    return (e as NamespaceError).field;
  }
  return undefined;
};

describe('validateIdMap', () => {
  it('accepts a root mapping and disjoint ranges', () => {
    validateIdMap([{ containerId: 0, hostId: 100000, size: 65536 }], 'uidMap');
    validateIdMap(
      [
        { containerId: 0, hostId: 0, size: 1 },
        { containerId: 1, hostId: 100000, size: 1000 },
      ],
      'uidMap',
    );
  });

  it('rejects overlapping ranges on either side, naming the entry', () => {
    expect(
      fieldOf(() =>
        validateIdMap(
          [
            { containerId: 0, hostId: 1000, size: 10 },
            { containerId: 5, hostId: 5000, size: 10 },
          ],
          'uidMap',
        ),
      ),
    ).toBe('uidMap[1].containerId');
    expect(
      fieldOf(() =>
        validateIdMap(
          [
            { containerId: 0, hostId: 1000, size: 10 },
            { containerId: 100, hostId: 1009, size: 1 },
          ],
          'gidMap',
        ),
      ),
    ).toBe('gidMap[1].hostId');
  });

  it('rejects empty maps, zero sizes, bad ids, ranges past 2^32-2 and too many lines', () => {
    expect(fieldOf(() => validateIdMap([], 'uidMap'))).toBe('uidMap');
    expect(fieldOf(() => validateIdMap([{ containerId: 0, hostId: 0, size: 0 }], 'uidMap'))).toBe('uidMap[0].size');
    expect(fieldOf(() => validateIdMap([{ containerId: -1, hostId: 0, size: 1 }], 'uidMap'))).toBe('uidMap[0].containerId');
    expect(fieldOf(() => validateIdMap([{ containerId: 1.5, hostId: 0, size: 1 }], 'uidMap'))).toBe('uidMap[0].containerId');
    expect(fieldOf(() => validateIdMap([{ containerId: 4294967290, hostId: 0, size: 10 }], 'uidMap'))).toBe('uidMap[0].size');
    const many = Array.from({ length: 341 }, (_, i) => ({ containerId: i, hostId: i, size: 1 }));
    expect(fieldOf(() => validateIdMap(many, 'uidMap'))).toBe('uidMap');
  });

  it('enforces the unprivileged single-line rule', () => {
    validateIdMap([{ containerId: 0, hostId: 1000, size: 1 }], 'uidMap', { unprivilegedId: 1000 });
    expect(fieldOf(() => validateIdMap([{ containerId: 0, hostId: 1000, size: 2 }], 'uidMap', { unprivilegedId: 1000 }))).toBe('uidMap');
    expect(fieldOf(() => validateIdMap([{ containerId: 0, hostId: 0, size: 1 }], 'uidMap', { unprivilegedId: 1000 }))).toBe('uidMap');
  });

  it('agrees with a brute-force overlap check (property)', () => {
    const entry = fc.record({ containerId: fc.integer({ min: 0, max: 60 }), hostId: fc.integer({ min: 0, max: 60 }), size: fc.integer({ min: 1, max: 8 }) });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), (map) => {
        const used = { c: new Set<number>(), h: new Set<number>() };
        let clash = false;
        for (const e of map) {
          for (let i = 0; i < e.size; i++) {
            if (used.c.has(e.containerId + i) || used.h.has(e.hostId + i)) clash = true;
          }
          for (let i = 0; i < e.size; i++) {
            used.c.add(e.containerId + i);
            used.h.add(e.hostId + i);
          }
        }
        expect(fieldOf(() => validateIdMap(map, 'm')) !== undefined).toBe(clash);
      }),
    );
  });

  it('formats and parses the kernel text format, and maps ids', () => {
    const map = [
      { containerId: 0, hostId: 100000, size: 65536 },
      { containerId: 65536, hostId: 1000, size: 1 },
    ];
    expect(formatIdMap(map)).toBe('0 100000 65536\n65536 1000 1\n');
    expect(parseIdMap('         0     100000      65536\n     65536       1000          1\n')).toEqual(map);
    expect(mapToHost(map, 5)).toBe(100005);
    expect(mapToHost(map, 65536)).toBe(1000);
    expect(mapToHost(map, 70000)).toBeNull();
    expect(() => parseIdMap('0 1\n')).toThrow(NamespaceError);
  });

  it('parses /etc/subuid text', () => {
    expect(parseSubIds('alice:100000:65536\n# comment\nbad line\n1000:200000:10\n')).toEqual([
      { owner: 'alice', start: 100000, count: 65536 },
      { owner: '1000', start: 200000, count: 10 },
    ]);
  });
});
