import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OciCapabilityName } from '@kc/container';
import { at, judge, Lab, type Outcome, probe, RUNTIMES, type Runtime } from './harness.js';

// CVE-2022-29162: runc < 1.1.2 gave the process a non-empty inheritable set,
// so a binary with inheritable file capabilities (+ei) run by a non-root user
// gained them. With `process.capabilities.inheritable` empty and
// no_new_privs off (it would hide the file capabilities altogether), the
// file-capable binary must come up with nothing permitted or effective, as
// under runc. Two ways in: process.user uid 1000 running the binary directly,
// and a root entrypoint that switches to uid 1000 itself (the inheritable
// set survives setuid). kc at 6b4240d could not start the first with
// no_new_privs off ("kc-init: open exec fifo: Permission denied"), so the
// second is the one that tells.

describe.runIf(probe.root)('attack: inheritable capabilities through file capabilities (CVE-2022-29162, needs root)', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = new Lab();
  });
  afterAll(() => expect(lab.cleanup()).toEqual([]));

  /** The bundle: root switches to uid 1000 and runs /capbin, which carries +ei file capabilities. */
  const capBundle = (inheritable: OciCapabilityName[], direct = false) =>
    lab.bundle(
      direct ? ['/capbin'] : [at('caps'), 'drop', '1000', '/capbin'],
      (c) => {
        if (direct) c.process!.user = { uid: 1000, gid: 1000 };
        c.process!.noNewPrivileges = false;
        c.process!.capabilities!.inheritable = inheritable;
      },
      (rootfs) => {
        copyFileSync(join(rootfs, at('caps')), join(rootfs, 'capbin'));
        chmodSync(join(rootfs, 'capbin'), 0o755);
        execFileSync('setcap', ['cap_net_raw,cap_net_admin,cap_sys_admin,cap_dac_override+ei', join(rootfs, 'capbin')]);
      },
    );

  it('the attacker is live: with CAP_NET_RAW inheritable, runc lets the binary gain it', () => {
    // The control's control: file capabilities work on this rootfs and survive the switch to uid 1000.
    const o = lab.run('runc', capBundle(['CAP_NET_RAW']), 'capsinh');
    expect(o.verdict, o.detail).toBe('escaped');
  });

  it('a +ei file-capable binary run by uid 1000 gains nothing', () => {
    const bundle = capBundle([]);
    const out = {} as Record<Runtime, Outcome>;
    for (const rt of RUNTIMES) out[rt] = lab.run(rt, bundle, 'caps');
    judge('caps: +ei file capabilities, empty inheritable set', out.runc, out.kc);
    // Not only no gain: the same CapInh/CapPrm/CapEff/CapAmb as runc.
    expect(out.kc.detail).toBe(out.runc.detail);
  });

  it('the same binary as process.user uid 1000 gains nothing', () => {
    const r = lab.runBoth(capBundle([], true), 'capsuser');
    judge('caps: +ei file capabilities, process.user 1000', r.runc, r.kc);
    expect(r.kc.detail).toBe(r.runc.detail);
  });
});
