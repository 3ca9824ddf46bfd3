import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpawnSyncReturns } from 'node:child_process';
import { Container, type OciConfig } from '@kc/container';
import { KcError } from '@kc/native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, judge, Lab, type Outcome, outcomeOf, pool, probe, RUNTIMES, type Runtime, worst } from './harness.js';

// CVE-2024-21626: a working directory the runtime resolves while one of its own
// host fds is open (/proc/self/fd/N) leaves the process in a host directory,
// from which `..` reaches the host's root. runc refuses every N since 1.1.12
// (Debian backported the fix to 1.1.5+ds1-1+deb12u1). Also the /proc/self/cwd
// family, which names the runtime's own cwd if resolved before the pivot.

const FDS = Array.from({ length: 62 }, (_, i) => i + 3);
/** Runtime processes in flight at once (a 2-core machine: the CLIs mostly wait on the kernel). */
const PARALLEL = 3;
const PROC_CWDS = ['/proc/self/cwd', '/proc/thread-self/cwd', '/proc/self/root', '/proc/1/cwd', '/proc/1/root', '/proc/self/cwd/..', '/proc/self/fd/../cwd'];

/** Names the cwd in an outcome's detail. */
const tagged = (cwd: string, o: Outcome): Outcome => ({ ...o, detail: `${cwd}: ${o.detail}` });

describe.runIf(probe.root)('attack: host directory as the working directory (CVE-2024-21626, needs root)', () => {
  let lab: Lab;
  let marker: string;
  beforeAll(() => {
    lab = new Lab();
    // On the host only: the rootfs has no such path, so finding it means `..` left the container.
    marker = join(lab.dir, 'host-marker');
    writeFileSync(marker, 'host');
  });
  afterAll(() => expect(lab.cleanup()).toEqual([]));

  /**
   * Runs the cwd attacker as the entrypoint once per cwd under each runtime:
   * one rootfs, one small bundle per cwd (config.json naming the rootfs by its
   * absolute path), PARALLEL runs at a time.
   */
  async function onRun(cwds: readonly string[]): Promise<Record<Runtime, Outcome>> {
    const shared = lab.bundle([at('cwd'), marker]);
    const bundles = cwds.map((cwd) => {
      const b = mkdtempSync(join(lab.dir, 'cwd-'));
      const config = JSON.parse(readFileSync(join(shared, 'config.json'), 'utf8')) as OciConfig;
      config.root!.path = join(shared, 'rootfs');
      config.process!.cwd = cwd;
      writeFileSync(join(b, 'config.json'), JSON.stringify(config));
      return { cwd, b };
    });
    const out = {} as Record<Runtime, Outcome>;
    for (const rt of RUNTIMES) {
      const seen = await pool(bundles, PARALLEL, async ({ cwd, b }) =>
        tagged(cwd, outcomeOf(await lab.cliAsync(rt, ['run', '--bundle', b, lab.id(rt, 'cwd')]))),
      );
      out[rt] = worst(seen);
    }
    return out;
  }

  /** Execs the cwd attacker with `--cwd` once per cwd into a running container of each runtime. */
  async function onExec(cwds: readonly string[]): Promise<Record<Runtime, Outcome>> {
    const bundle = lab.bundle(['sleep', '600']);
    const out = {} as Record<Runtime, Outcome>;
    for (const rt of RUNTIMES) {
      const id = lab.detach(rt, bundle, 'cwdexec');
      try {
        const seen = await pool(cwds, PARALLEL, async (cwd) => tagged(cwd, outcomeOf(await lab.cliAsync(rt, ['exec', '--cwd', cwd, id, at('cwd'), marker]))));
        out[rt] = worst(seen);
      } finally {
        lab.remove(rt, id);
      }
    }
    return out;
  }

  it('process.cwd = /proc/self/fd/N for every N in 3..64 on run', async () => {
    const r = await onRun(FDS.map((n) => `/proc/self/fd/${n}`));
    judge('cwd /proc/self/fd/3..64 (run)', r.runc, r.kc);
  });

  it('exec --cwd /proc/self/fd/N for every N in 3..64', async () => {
    const r = await onExec(FDS.map((n) => `/proc/self/fd/${n}`));
    judge('cwd /proc/self/fd/3..64 (exec --cwd)', r.runc, r.kc);
  });

  /** One container through the SDK, created from this Node process (whose own fds are the ones a child could keep). */
  async function sdkRun(bundle: string): Promise<Outcome> {
    try {
      await using c = await Container.create({ id: lab.id('kc', 'sdkcwd'), bundle, root: lab.roots.kc, stdio: ['ignore', 'pipe', 'ignore'] });
      await c.start();
      let stdout = '';
      for await (const chunk of c.process!.stdout!) stdout += chunk;
      await c.wait();
      return outcomeOf({ stdout, stderr: '', status: 0 } as SpawnSyncReturns<string>);
    } catch (e) {
      // Only kc's typed refusal counts as blocked; anything else never judged the attack.
      if (!(e instanceof KcError)) throw e;
      return { verdict: 'blocked', detail: `refused: ${e.message.slice(0, 200)}` };
    }
  }

  it('process.cwd = /proc/self/fd/N for every N in 3..64 through the SDK (Container.create in this process)', async () => {
    const bundle = lab.bundle([at('cwd'), marker]);
    const seen: Record<Runtime, Outcome[]> = { runc: [], kc: [] };
    for (const n of FDS) {
      const cwd = `/proc/self/fd/${n}`;
      lab.reconfigure(bundle, (c) => {
        c.process!.cwd = cwd;
      });
      seen.runc.push(tagged(cwd, lab.run('runc', bundle, 'cwdsdk')));
      seen.kc.push(tagged(cwd, await sdkRun(bundle)));
    }
    judge('cwd /proc/self/fd/3..64 (SDK Container.create)', worst(seen.runc), worst(seen.kc));
  });

  it('process.cwd and exec --cwd through /proc/self/cwd, /proc/1/root and friends', async () => {
    const run = await onRun(PROC_CWDS);
    judge('cwd /proc/self/cwd family (run)', run.runc, run.kc);
    const exec = await onExec(PROC_CWDS);
    judge('cwd /proc/self/cwd family (exec --cwd)', exec.runc, exec.kc);
  });
});
