import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, Lab, type Outcome, probe, RUNTIMES, type Runtime, worst } from './harness.js';

// Symlinked mount destinations (CVE-2019-19921, CVE-2021-30465): a mount
// destination whose path in the rootfs goes through a symlink to a host path
// must resolve inside the root. The runtime creates missing destination
// directories, so a runtime that follows the symlink on the host leaves a
// directory on the host: that is the verdict, checked from outside. The race
// variant swaps a rootfs directory with such a symlink while the runtime sets
// the mounts up.

const RACE_RUNS = 10;
/** The entrypoint: the verdict is taken on the host; this line only says the container started. */
const STARTED = ['sh', '-c', 'echo BLOCKED started'];

describe.runIf(probe.root)('attack: mount destinations through symlinks (CVE-2019-19921, CVE-2021-30465, needs root)', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = new Lab();
  });
  afterAll(() => expect(lab.cleanup()).toEqual([]));

  /** A host directory (absent from the rootfs) and the verdict of whether a run created `made` under it. */
  function hostTarget(tag: string): { dir: string; check: (o: Outcome) => Outcome } {
    const dir = join(lab.dir, `host-${tag}`);
    mkdirSync(dir);
    return {
      dir,
      check: (o) => (existsSync(join(dir, 'made')) ? { verdict: 'escaped', detail: `created ${dir}/made on the host; ${o.detail}` } : o),
    };
  }

  for (const [label, link] of [
    ['absolute', (dir: string) => dir],
    ['relative, climbing out', (dir: string) => `../../../../../../../..${dir}`],
  ] as const) {
    it(`a tmpfs and a bind mount whose destination goes through a symlink (${label}) to a host dir`, () => {
      const out = {} as Record<Runtime, Outcome>;
      for (const rt of RUNTIMES) {
        const host = hostTarget(`${rt}-${label.split(',')[0]}`);
        const bundle = lab.bundle(
          STARTED,
          (c) => {
            c.mounts!.push({ destination: '/evil/made/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] });
            c.mounts!.push({ destination: '/evil2/made/bind', type: 'bind', source: lab.dir, options: ['rbind', 'ro'] });
          },
          (rootfs) => {
            symlinkSync(link(host.dir), join(rootfs, 'evil'));
            symlinkSync(link(host.dir), join(rootfs, 'evil2'));
          },
        );
        out[rt] = host.check(lab.run(rt, bundle, 'mntsym'));
      }
      judge(`mount destination through a symlink (${label})`, out.runc, out.kc);
    });
  }

  it('a bind mount with rro is read-only in its submounts too (runtime-spec 1.1 recursive options)', () => {
    // A host directory with a submount of its own, bound into the container rbind + rro.
    const host = join(lab.dir, 'rro-host');
    mkdirSync(join(host, 'sub'), { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'kc-attack-rro', join(host, 'sub')]);
    try {
      const bundle = lab.bundle(
        [
          'sh',
          '-c',
          'r=""; for d in /data /data/sub; do touch $d/attack 2>/dev/null && r="$r $d"; done; [ -n "$r" ] && echo "ESCAPED wrote into$r" || echo "BLOCKED /data and /data/sub refuse writes"',
        ],
        (c) => {
          c.mounts!.push({ destination: '/data', type: 'bind', source: host, options: ['rbind', 'rro'] });
        },
      );
      const out = {} as Record<Runtime, Outcome>;
      for (const rt of RUNTIMES) {
        const o = lab.run(rt, bundle, 'rro');
        const wrote = ['attack', 'sub/attack'].filter((f) => existsSync(join(host, f)));
        out[rt] = wrote.length ? { verdict: 'escaped', detail: `host files created: ${wrote.join(', ')}; ${o.detail}` } : o;
        for (const f of wrote) rmSync(join(host, f));
      }
      judge('bind mount rbind+rro (host dir with a submount)', out.runc, out.kc);
    } finally {
      execFileSync('umount', [join(host, 'sub')]);
    }
  });

  it(`the same destination swapped between a directory and the symlink during ${RACE_RUNS} starts (CVE-2021-30465)`, async () => {
    const out = {} as Record<Runtime, Outcome>;
    for (const rt of RUNTIMES) {
      const host = hostTarget(`${rt}-race`);
      let rootfs = '';
      const bundle = lab.bundle(
        STARTED,
        (c) => {
          c.mounts!.push({ destination: '/race/made/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] });
        },
        (r) => {
          rootfs = r;
        },
      );
      const swapper = spawn(lab.bin('swap'), [join(rootfs, 'race'), host.dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      const gone = new Promise((r) => swapper.once('exit', r));
      try {
        // Wait until the swapper runs (its first line), then start containers while it swaps.
        await new Promise((r) => swapper.stdout!.once('data', r));
        const runs: Outcome[] = [];
        for (let i = 0; i < RACE_RUNS; i++) runs.push(host.check(lab.run(rt, bundle, 'mntrace')));
        out[rt] = worst(runs);
      } finally {
        swapper.kill('SIGKILL');
        await gone;
      }
    }
    // runc 1.1.5 resolves the destination in the root, then creates it with os.MkdirAll, which follows a symlink
    // swapped in between: it loses this race at times (under load, every time). runc 1.2 creates it with
    // MkdirAllInRoot. kc resolves and creates every component with openat2(RESOLVE_IN_ROOT) and must always block.
    judge(`mount destination symlink race (${RACE_RUNS} starts)`, out.runc, out.kc, {
      runcPredates: 'runc 1.2 creates mount destinations with MkdirAllInRoot, 1.1.5 with os.MkdirAll after resolving them',
    });
  });
});
