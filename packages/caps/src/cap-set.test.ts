import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CapSet } from './cap-set.js';
import { CapsError } from './errors.js';

const mask = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

describe('CapSet', () => {
  it('builds from names, numbers and masks', () => {
    const s = CapSet.of('NET_RAW', 'cap_net_admin', 0);
    expect(s.mask).toBe(0x3001n);
    expect(s.toString()).toBe('cap_chown,cap_net_admin,cap_net_raw');
    expect(s.names()).toEqual(['CAP_CHOWN', 'CAP_NET_ADMIN', 'CAP_NET_RAW']);
    expect(s.size).toBe(3);
    expect(s.toHex()).toBe('0000000000003001');
    expect(CapSet.fromMask(1n << 63n).toString()).toBe('63');
    expect(CapSet.all().mask).toBe((1n << 41n) - 1n);
    expect([...CapSet.of(5, 1)]).toEqual([1, 5]);
  });

  it('rejects unknown names and out-of-range numbers with a typed error', () => {
    // A JavaScript caller's typo: TypeScript already refuses it (the names are a literal union), the run-time check stays.
    // @ts-expect-error: not a capability name
    for (const bad of [() => CapSet.of('cap_nonsense'), () => CapSet.of(64), () => CapSet.fromMask(1n << 64n), () => CapSet.fromMask(-1n)]) {
      expect(bad).toThrow(CapsError);
    }
    // @ts-expect-error: not a capability name
    expect(() => CapSet.of('NET_RAW', 'bogus')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'caps[1]' }));
  });

  it('obeys set algebra', () => {
    fc.assert(
      fc.property(mask, mask, mask, (a, b, c) => {
        const [x, y, z] = [CapSet.fromMask(a), CapSet.fromMask(b), CapSet.fromMask(c)];
        expect(x.union(y).mask).toBe(a | b);
        expect(x.intersect(y).mask).toBe(a & b);
        expect(x.difference(y).union(x.intersect(y)).equals(x)).toBe(true);
        expect(x.union(y.intersect(z)).equals(x.union(y).intersect(x.union(z)))).toBe(true);
        expect(x.intersect(y).isSubsetOf(x)).toBe(true);
        expect(x.union(y).isSupersetOf(y)).toBe(true);
        expect(CapSet.from(x.values()).equals(x)).toBe(true);
        expect(CapSet.from(x.names()).equals(x)).toBe(true);
        expect(x.size).toBe(x.values().length);
      }),
      { numRuns: 200 },
    );
  });

  it('is immutable', () => {
    const s = CapSet.of('KILL');
    const t = s.add('CHOWN');
    expect(s.toString()).toBe('cap_kill');
    expect(t.toString()).toBe('cap_chown,cap_kill');
    expect(Object.isFrozen(s)).toBe(true);
  });
});
