import { describe, expect, it } from 'vitest';
import { CgroupError } from '../errors.js';
import { normaliseCgroupPath, parentPath, validateCgroupName } from './paths.js';

describe('cgroup paths', () => {
  it('normalises', () => {
    expect(normaliseCgroupPath('a/b/')).toBe('/a/b');
    expect(normaliseCgroupPath('/')).toBe('/');
    expect(parentPath('/a/b')).toBe('/a');
    expect(parentPath('/a')).toBe('/');
  });
  it('rejects escapes and bad names with a typed error', () => {
    for (const bad of ['a/../b', '..', 'a//b', './a', 'a\nb']) {
      const e = (() => {
        try {
          normaliseCgroupPath(bad);
        } catch (x) {
          return x;
        }
        return undefined;
      })();
      expect(e, bad).toBeInstanceOf(CgroupError);
      expect((e as CgroupError).code).toBe('INVALID_ARGUMENT');
    }
    expect(() => validateCgroupName('x/y')).toThrow(/contains "\/"/);
  });
});
