import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, judge, Lab, probe } from './harness.js';

// procfs confinement: /proc/sys and /proc/sysrq-trigger refuse writes (EROFS),
// masked files are /dev/null, /proc is procfs; ptrace and kill cannot reach
// host pids; and the symlinked-/proc family: CVE-2019-19921 / CVE-2023-27561
// (rootfs/proc a symlink, so proc lands elsewhere and /proc is an ordinary
// directory: masking and LSM labels bypassed), CVE-2023-28642 (the same
// through /proc/self/... redirection).

describe.runIf(probe.root)('attack: procfs, /proc/sys writes, ptrace of host pids, symlinked /proc (needs root)', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = new Lab();
  });
  afterAll(() => expect(lab.cleanup()).toEqual([]));

  it('/proc/sys, /proc/sysrq-trigger and masked files refuse writes; /proc is procfs', () => {
    const r = lab.runBoth(lab.bundle([at('procfs')]), 'proc');
    judge('procfs: /proc/sys writes (EROFS), masked paths', r.runc, r.kc);
  });

  it('ptrace, kill and /proc/PID/exe of host pids (the test runner, its parent)', () => {
    const r = lab.runBoth(lab.bundle([at('ptrace'), String(process.pid), String(process.ppid)]), 'ptrace');
    judge('ptrace/kill of host pids', r.runc, r.kc);
  });

  for (const [label, target] of [
    ['an in-root directory', '/bad-proc'],
    ['the root', '/'],
    ['a relative path out of the root', '../../../../../../../../tmp'],
  ] as const) {
    it(`rootfs/proc is a symlink to ${label} (CVE-2019-19921, CVE-2023-27561, CVE-2023-28642)`, () => {
      // Refusing (runc) or confining (procfs inside the root, masks and /proc/sys intact) both block.
      const bundle = lab.bundle([at('procfs')], undefined, (rootfs) => {
        rmSync(join(rootfs, 'proc'), { recursive: true, force: true });
        mkdirSync(join(rootfs, 'bad-proc'), { recursive: true });
        symlinkSync(target, join(rootfs, 'proc'));
      });
      const r = lab.runBoth(bundle, 'procsym');
      judge(`/proc symlink -> ${target}`, r.runc, r.kc);
    });
  }
});
