import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, judge, Lab, probe } from './harness.js';

// The device cgroup: with CAP_MKNOD (in the default capability set) a
// container may create any device node; only the cgroup's rules decide
// whether it opens. runc applies its default allow-list (null, zero, full,
// random, urandom, tty, console, ptmx, pts) whatever the config says; kc must
// too, with and without `linux.resources`. Needs only a kernel and busybox
// (runs in the VM lanes too).

describe.runIf(probe.root)('attack: device nodes through mknod (device cgroup, needs root)', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = new Lab();
  });
  afterAll(() => expect(lab.cleanup()).toEqual([]));

  it('mknod + open of loop0 (b 7:0), mem (c 1:1), kvm (c 10:232), hwrng (c 10:183) with no linux.resources', () => {
    const r = lab.runBoth(
      lab.bundle([at('dev'), '/dev'], (c) => {
        delete c.linux!.resources;
      }),
      'dev',
    );
    judge('devices: mknod+open, no linux.resources', r.runc, r.kc);
  });

  it('the attacker is live: with an allow-all device rule runc lets it open loop0 or kvm', () => {
    // The control's control: were the opens above blocked by something other than the device cgroup, this would fail.
    const o = lab.run(
      'runc',
      lab.bundle([at('dev'), '/dev'], (c) => {
        c.linux!.resources = { devices: [{ allow: true, access: 'rwm' }] };
      }),
      'devall',
    );
    expect(o.verdict, o.detail).toBe('escaped');
  });

  it('the same with the default deny-all device rule', () => {
    const r = lab.runBoth(lab.bundle([at('dev'), '/dev']), 'devdeny');
    judge('devices: mknod+open, deny-all rule', r.runc, r.kc);
  });
});
