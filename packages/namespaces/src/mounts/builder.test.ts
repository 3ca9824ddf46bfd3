import { describe, expect, it } from 'vitest';
import { NamespaceError } from '../errors.js';
import { DEFAULT_MASKED_PATHS, MountPlan, propagationFlags } from './builder.js';
import { MS, parseMountOptions } from './flags.js';
import { validateMountSteps } from './validate.js';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NamespaceError);
    return (e as NamespaceError).field;
  }
  return undefined;
};

describe('MountPlan', () => {
  it('builds container steps in order', () => {
    const steps = new MountPlan()
      .rootfs('/tmp/root')
      .proc()
      .tmpfs('/dev', { data: 'mode=755' })
      .devpts()
      .bind('/etc/hosts', '/etc/hosts', { readonly: true, file: true })
      .overlay('/merged', { lower: ['/l2', '/l:1'], upper: '/u', work: '/w' })
      .pivot()
      .mask(DEFAULT_MASKED_PATHS.slice(0, 1))
      .readonly(['/proc/sys'])
      .steps();
    expect(steps[0]).toEqual({ kind: 'rootfs', path: '/tmp/root', propagation: MS.PRIVATE | MS.REC });
    expect(steps[1]).toEqual({ kind: 'mount', source: 'proc', target: '/proc', fstype: 'proc', flags: MS.NOSUID | MS.NODEV | MS.NOEXEC, create: 'dir' });
    expect(steps[4]).toMatchObject({ kind: 'mount', flags: MS.BIND | MS.REC, readonly: true, create: 'file' });
    expect(steps[5]).toMatchObject({ fstype: 'overlay', data: 'lowerdir=/l2:/l\\:1,upperdir=/u,workdir=/w' });
    expect(steps.slice(6)).toEqual([{ kind: 'pivot' }, { kind: 'mask', path: '/proc/acpi' }, { kind: 'readonly', path: '/proc/sys' }]);
  });

  it('maps propagation names', () => {
    expect(propagationFlags('private')).toBe(MS.PRIVATE);
    expect(propagationFlags('rslave')).toBe(MS.SLAVE | MS.REC);
    expect(propagationFlags('runbindable')).toBe(MS.UNBINDABLE | MS.REC);
  });

  it('rejects bad plans naming the step', () => {
    expect(fieldOf(() => new MountPlan().pivot().steps())).toBe('mounts[0]');
    expect(fieldOf(() => new MountPlan().proc().rootfs('/r').steps())).toBe('mounts[1]');
    expect(fieldOf(() => new MountPlan().rootfs('/r').pivot().pivot().steps())).toBe('mounts[2]');
    expect(fieldOf(() => new MountPlan().tmpfs('relative').steps())).toBe('mounts[0].target');
    expect(fieldOf(() => new MountPlan().bind('/a', '/x/../../etc').steps())).toBe('mounts[0].target');
    expect(fieldOf(() => new MountPlan().remount('/x', MS.SHARED).steps())).toBe('mounts[0].flags');
    expect(fieldOf(() => validateMountSteps([{ kind: 'propagation', target: '/', flags: MS.SHARED | MS.SLAVE }]))).toBe('mounts[0].flags');
    expect(fieldOf(() => validateMountSteps([{ kind: 'mount', target: '/m', fstype: 'overlay', data: 'upperdir=/u' }]))).toBe('mounts[0].data');
    expect(fieldOf(() => validateMountSteps([{ kind: 'mknod', path: '/dev/x', mode: 0o644, major: 1, minor: 3 }]))).toBe('mounts[0].mode');
    expect(fieldOf(() => validateMountSteps([{ kind: 'bogus' } as never]))).toBe('mounts[0].kind');
  });

  it('parses mount(8) option words', () => {
    expect(parseMountOptions(['ro', 'nosuid', 'rprivate', 'mode=755', 'size=1m'])).toEqual({
      flags: MS.RDONLY | MS.NOSUID,
      clear: 0,
      propagation: MS.PRIVATE | MS.REC,
      data: 'mode=755,size=1m',
    });
    expect(parseMountOptions(['ro', 'rw']).flags).toBe(0);
  });
});
