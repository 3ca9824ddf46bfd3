import { describe, expect, it } from 'vitest';
import { NamespaceError } from '../errors.js';
import { MS } from './flags.js';
import { type MinimalMountsOptions, minimalMounts } from './minimal.js';

/** The field of the typed error minimalMounts throws for `options`. */
function fieldOf(options: MinimalMountsOptions): string | undefined {
  try {
    minimalMounts(options);
  } catch (e) {
    expect(e).toBeInstanceOf(NamespaceError);
    expect((e as NamespaceError).code).toBe('INVALID_ARGUMENT');
    return (e as NamespaceError).field;
  }
  return undefined;
}

describe('minimalMounts', () => {
  it('binds the host root alone (no submounts) onto /mnt, pivots, then a fresh /proc and a small /dev', () => {
    const steps = minimalMounts();
    expect(steps[0]).toEqual({ kind: 'rootfs', path: '/', mountPoint: '/mnt', propagation: MS.PRIVATE | MS.REC, recursive: false });
    expect(steps[1]).toEqual({ kind: 'pivot' });
    expect(steps[2]).toMatchObject({ kind: 'mount', fstype: 'proc', target: '/proc' });
    expect(steps[3]).toMatchObject({ kind: 'mount', fstype: 'tmpfs', target: '/dev' });
    expect(steps.filter((s) => s.kind === 'mknod')).toContainEqual({ kind: 'mknod', path: '/dev/null', mode: 0o020666, major: 1, minor: 3 });
    // Nothing creates a directory on the host's disk: the mount points /proc and /dev exist on every root.
    expect(steps.some((s) => 'create' in s && s.create !== undefined)).toBe(false);
  });

  it('keeps host mounts as plain binds before the pivot, read-only when asked, and normalises their paths', () => {
    const steps = minimalMounts({ keep: ['/tmp/', { path: '/srv//data', readonly: true }], proc: false, dev: false, readonly: true });
    expect(steps).toEqual([
      { kind: 'rootfs', path: '/', mountPoint: '/mnt', propagation: MS.PRIVATE | MS.REC, recursive: false },
      { kind: 'mount', source: '/tmp', target: '/tmp', flags: MS.BIND },
      { kind: 'mount', source: '/srv/data', target: '/srv/data', flags: MS.BIND, readonly: true },
      { kind: 'pivot' },
      { kind: 'remount', target: '/', flags: MS.BIND | MS.RDONLY },
    ]);
  });

  it('binds kept parents before their children, whatever the order given', () => {
    const targets = minimalMounts({ keep: ['/tmp/a/b', '/srv', '/tmp'], proc: false, dev: false }).flatMap((s) => (s.kind === 'mount' ? [s.target] : []));
    expect(targets).toEqual(['/srv', '/tmp', '/tmp/a/b']);
  });

  it('takes another mount point', () => {
    expect(minimalMounts({ mountPoint: '/run/kc-root', proc: false, dev: false })[0]).toMatchObject({ mountPoint: '/run/kc-root' });
  });

  it('refuses bad input with a typed error naming the field, before anything is mounted', () => {
    expect(fieldOf({ keep: ['tmp'] })).toBe('keep[0]');
    expect(fieldOf({ keep: ['/a/../etc'] })).toBe('keep[0]');
    expect(fieldOf({ keep: ['/a\0b'] })).toBe('keep[0]');
    expect(fieldOf({ keep: ['/'] })).toBe('keep[0]');
    expect(fieldOf({ keep: [{ path: '/srv' }, '/srv/'] })).toBe('keep[1]');
    expect(fieldOf({ keep: [{ path: 3 as unknown as string }] })).toBe('keep[0].path');
    // Under the mount point the host path is hidden by the root bind during setup; above it, it would hold the root.
    expect(fieldOf({ keep: ['/mnt/data'] })).toBe('keep[0]');
    expect(fieldOf({ keep: ['/run'], mountPoint: '/run/kc' })).toBe('keep[0]');
    // A fresh /proc or /dev would cover what is kept there.
    expect(fieldOf({ keep: ['/proc/sys'] })).toBe('keep[0]');
    expect(fieldOf({ keep: ['/dev/shm'] })).toBe('keep[0]');
    expect(fieldOf({ keep: ['/dev/shm'], dev: false })).toBeUndefined();
    expect(fieldOf({ keep: '/tmp' as unknown as string[] })).toBe('keep');
    expect(fieldOf({ mountPoint: '/' })).toBe('mountPoint');
    expect(fieldOf({ mountPoint: 'mnt' })).toBe('mountPoint');
    expect(fieldOf(null as unknown as MinimalMountsOptions)).toBe('options');
  });
});
