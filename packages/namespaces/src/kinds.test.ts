import { describe, expect, it } from 'vitest';
import { NamespaceError } from './errors.js';
import { ALL_NAMESPACE_KINDS, cloneFlagsOf, isNamespaceKind, kindOfCloneFlag, NAMESPACE_KIND_INFO, parseNamespaceKind } from './kinds.js';

describe('namespace kinds', () => {
  it('has the eight kinds with the kernel clone flags', () => {
    expect(ALL_NAMESPACE_KINDS).toHaveLength(8);
    expect(NAMESPACE_KIND_INFO.net.cloneFlag).toBe(0x40000000);
    expect(NAMESPACE_KIND_INFO.mnt.cloneFlagName).toBe('CLONE_NEWNS');
    expect(NAMESPACE_KIND_INFO.time.cloneFlag).toBe(0x80);
    const flags = ALL_NAMESPACE_KINDS.map((k) => NAMESPACE_KIND_INFO[k].cloneFlag);
    expect(new Set(flags).size).toBe(8);
    for (const k of ALL_NAMESPACE_KINDS) expect(kindOfCloneFlag(NAMESPACE_KIND_INFO[k].cloneFlag)).toBe(k);
  });

  it('ORs flags and rejects unknown kinds with a typed error', () => {
    expect(cloneFlagsOf(['net', 'uts'])).toBe(0x44000000);
    expect(isNamespaceKind('network')).toBe(false);
    expect(() => parseNamespaceKind('network')).toThrow(NamespaceError);
    try {
      cloneFlagsOf(['net', 'bogus']);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NamespaceError);
      expect((e as NamespaceError).code).toBe('INVALID_ARGUMENT');
      expect((e as NamespaceError).field).toBe('kinds[1]');
    }
  });
});
