import { describe, expect, it } from 'vitest';
import { NamespaceError } from '../errors.js';
import { DEFAULT_MASKED_PATHS, MountPlan, propagationFlags } from './builder.js';
import { MOUNT_ATTR, MS, parseMountOptions } from './flags.js';
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
    expect(steps[5]).toEqual({ kind: 'setattr', target: '/etc/hosts', set: MOUNT_ATTR.RDONLY, recursive: true });
    expect(steps[6]).toMatchObject({ fstype: 'overlay', data: 'lowerdir=/l2:/l\\:1,upperdir=/u,workdir=/w' });
    expect(steps.slice(7)).toEqual([{ kind: 'pivot' }, { kind: 'mask', path: '/proc/acpi' }, { kind: 'readonly', path: '/proc/sys', recursive: true }]);
  });

  it('makes read-only recursive by default, with an explicit opt-out', () => {
    const ro = (plan: MountPlan) => plan.steps().slice(1);
    expect(ro(new MountPlan().rootfs('/r').bind('/a', '/b', { readonly: true }))).toEqual([
      { kind: 'mount', source: '/a', target: '/b', flags: MS.BIND | MS.REC, create: 'dir', readonly: true },
      { kind: 'setattr', target: '/b', set: MOUNT_ATTR.RDONLY, recursive: true },
    ]);
    // Opt-out: the rbind stays, only its top mount is read-only.
    expect(ro(new MountPlan().rootfs('/r').bind('/a', '/b', { readonly: true, recursiveReadonly: false }))).toEqual([
      { kind: 'mount', source: '/a', target: '/b', flags: MS.BIND | MS.REC, create: 'dir', readonly: true },
    ]);
    // A plain bind carries no submounts: the remount covers it, no mount_setattr needed.
    expect(ro(new MountPlan().rootfs('/r').bind('/a', '/b', { readonly: true, recursive: false }))).toHaveLength(1);
    expect(ro(new MountPlan().rootfs('/r').pivot().remountReadonly('/'))).toEqual([{ kind: 'pivot' }, { kind: 'readonly', path: '/', recursive: true }]);
    expect(ro(new MountPlan().rootfs('/r').pivot().remountReadonly('/', { recursive: false }))).toEqual([{ kind: 'pivot' }, { kind: 'readonly', path: '/' }]);
    expect(ro(new MountPlan().rootfs('/r').readonly(['/x', '/y'], { recursive: false }))).toEqual([
      { kind: 'readonly', path: '/x' },
      { kind: 'readonly', path: '/y' },
    ]);
    expect(ro(new MountPlan().rootfs('/r').setattr('/b', { set: MOUNT_ATTR.NOSUID, recursive: false }))).toEqual([
      { kind: 'setattr', target: '/b', set: MOUNT_ATTR.NOSUID, recursive: false },
    ]);
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
    expect(fieldOf(() => validateMountSteps([{ kind: 'setattr', target: 'rel', set: 1 }]))).toBe('mounts[0].target');
    expect(fieldOf(() => validateMountSteps([{ kind: 'setattr', target: '/d', set: 1.5 }]))).toBe('mounts[0].set');
    expect(fieldOf(() => validateMountSteps([{ kind: 'setattr', target: '/d', clear: MOUNT_ATTR.IDMAP }]))).toBe('mounts[0].clear');
  });

  it('parses mount(8) option words', () => {
    expect(parseMountOptions(['ro', 'nosuid', 'rprivate', 'mode=755', 'size=1m'])).toEqual({
      flags: MS.RDONLY | MS.NOSUID,
      clear: 0,
      propagation: MS.PRIVATE | MS.REC,
      data: 'mode=755,size=1m',
      attrSet: 0,
      attrClear: 0,
    });
    expect(parseMountOptions(['ro', 'rw']).flags).toBe(0);
  });

  it('parses the recursive words of runtime-spec 1.1 into mount_setattr(2) attributes', () => {
    const attrs = (o: string[]) => {
      const p = parseMountOptions(o);
      return [p.attrSet, p.attrClear];
    };
    expect(parseMountOptions(['rbind', 'rro'])).toEqual({
      flags: MS.BIND | MS.REC,
      clear: 0,
      propagation: 0,
      data: '',
      attrSet: MOUNT_ATTR.RDONLY,
      attrClear: 0,
    });
    // Plain ro stays a top-only MS_RDONLY.
    expect(attrs(['ro'])).toEqual([0, 0]);
    expect(attrs(['rnosuid', 'rnodev', 'rnoexec', 'rnodiratime', 'rnosymfollow'])).toEqual([
      MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC | MOUNT_ATTR.NODIRATIME | MOUNT_ATTR.NOSYMFOLLOW,
      0,
    ]);
    expect(attrs(['rrw', 'rsuid', 'rdev', 'rexec', 'rdiratime', 'rsymfollow'])).toEqual([
      0,
      MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC | MOUNT_ATTR.NODIRATIME | MOUNT_ATTR.NOSYMFOLLOW,
    ]);
    // A later word undoes an earlier opposite one.
    expect(attrs(['rro', 'rrw'])).toEqual([0, MOUNT_ATTR.RDONLY]);
    expect(attrs(['rrw', 'rro'])).toEqual([MOUNT_ATTR.RDONLY, 0]);
    // Atime: one mode, and the whole MOUNT_ATTR__ATIME in clear (mount_setattr(2)).
    expect(attrs(['rnoatime'])).toEqual([MOUNT_ATTR.NOATIME, MOUNT_ATTR._ATIME]);
    expect(attrs(['rstrictatime'])).toEqual([MOUNT_ATTR.STRICTATIME, MOUNT_ATTR._ATIME]);
    expect(attrs(['rrelatime'])).toEqual([MOUNT_ATTR.RELATIME, MOUNT_ATTR._ATIME]);
    expect(attrs(['rnoatime', 'rstrictatime'])).toEqual([MOUNT_ATTR.STRICTATIME, MOUNT_ATTR._ATIME]);
    expect(attrs(['rnoatime', 'ratime'])).toEqual([0, MOUNT_ATTR._ATIME]);
    expect(attrs(['rstrictatime', 'rnostrictatime'])).toEqual([0, MOUNT_ATTR._ATIME]);
    expect(attrs(['rnorelatime'])).toEqual([0, MOUNT_ATTR._ATIME]);
    // Words that are not options stay data.
    expect(parseMountOptions(['rfoo', 'rro']).data).toBe('rfoo');
  });
});
