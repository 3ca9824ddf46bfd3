import { describe, expect, it } from 'vitest';
import { MountPlan } from './builder.js';
import { MS } from './flags.js';

describe('MountPlan.rootfs with a mount point', () => {
  it('binds the host root onto /tmp of the new mount namespace by default, as bubblewrap does', () => {
    expect(new MountPlan().rootfs('/').pivot().steps()[0]).toEqual({ kind: 'rootfs', path: '/', propagation: MS.PRIVATE | MS.REC, mountPoint: '/tmp' });
  });

  it('takes an explicit mount point and propagation, and keeps the old positional propagation', () => {
    expect(new MountPlan().rootfs('/srv/root', { mountPoint: '/mnt/r', propagation: 'rslave' }).steps()[0]).toEqual({
      kind: 'rootfs',
      path: '/srv/root',
      propagation: MS.SLAVE | MS.REC,
      mountPoint: '/mnt/r',
    });
    expect(new MountPlan().rootfs('/srv/root', 'private').steps()[0]).toEqual({ kind: 'rootfs', path: '/srv/root', propagation: MS.PRIVATE });
  });

  it('attaches a detached tree by fd', () => {
    expect(new MountPlan().rootfs('/r').attach(9, '/data').steps()[1]).toEqual({ kind: 'attach', treeFd: 9, target: '/data', create: 'dir' });
    expect(() => new MountPlan().rootfs('/r').attach(-1, '/data').steps()).toThrow(expect.objectContaining({ field: 'mounts[1].treeFd' }));
    expect(() => new MountPlan().rootfs('/r', { mountPoint: 'rel' }).steps()).toThrow(expect.objectContaining({ field: 'mounts[0].mountPoint' }));
  });
});
