import { describe, expect, it } from 'vitest';
import { CgroupError } from '../errors.js';
import { expandSlice, isSystemdCgroupPath, parseSystemdCgroupPath } from './unit-name.js';

describe('parseSystemdCgroupPath', () => {
  it('maps slice:prefix:name to a scope in the slice, as runc does', () => {
    expect(parseSystemdCgroupPath('system.slice:kc:demo')).toEqual({
      slice: 'system.slice',
      prefix: 'kc',
      name: 'demo',
      unit: 'kc-demo.scope',
      cgroupPath: '/system.slice/kc-demo.scope',
    });
    expect(parseSystemdCgroupPath(':kc:demo').slice).toBe('system.slice');
    expect(parseSystemdCgroupPath('machine-kc.slice::abc').cgroupPath).toBe('/machine.slice/machine-kc.slice/abc.scope');
    expect(parseSystemdCgroupPath('-.slice:kc:x').cgroupPath).toBe('/kc-x.scope');
  });

  it.each([
    ['kc:demo', 'path'],
    ['a.slice:kc:x:y', 'path'],
    ['system.slice:kc:', 'path.name'],
    ['system.slice/x:kc:demo', 'path'],
    ['system.service:kc:demo', 'path.slice'],
    ['.slice:kc:demo', 'path.slice'],
    ['a--b.slice:kc:demo', 'path.slice'],
    ['-a.slice:kc:demo', 'path.slice'],
    ['a-.slice:kc:demo', 'path.slice'],
    ['system.slice:k c:demo', 'path.name'],
    ['system.slice:kc:dé', 'path.name'],
    ['system.slice:kc:x.slice', 'path.name'],
    [`system.slice:kc:${'a'.repeat(250)}`, 'path.name'],
  ])('refuses %s with INVALID_ARGUMENT on %s', (path, field) => {
    let err: unknown;
    try {
      parseSystemdCgroupPath(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CgroupError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field });
  });

  it('tells the systemd form from a cgroupfs path', () => {
    expect(isSystemdCgroupPath('system.slice:kc:x')).toBe(true);
    expect(isSystemdCgroupPath('/kc/x')).toBe(false);
    expect(isSystemdCgroupPath('kc:x')).toBe(false);
  });
});

describe('expandSlice', () => {
  it('nests by dashes (systemd.slice(5))', () => {
    expect(expandSlice('a-b-c.slice')).toBe('/a.slice/a-b.slice/a-b-c.slice');
    expect(expandSlice('-.slice')).toBe('/');
  });
});
