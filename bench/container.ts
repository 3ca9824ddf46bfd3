/**
 * The full-container benchmark of DESIGN.md: start→exit of /bin/true in a
 * container (pid, mnt, uts, ipc, net, cgroup namespaces; a cgroup; pivot_root
 * into a busybox rootfs; Docker's capability set; seccomp default profile;
 * read-only root, masked paths, minimal /dev), from a warm Node process.
 * kc (the Container API in this process) beside `runc run`, `bwrap
 * --unshare-all` and Node's bare `child_process.spawn('/bin/true')`, in one run.
 *
 * Run: pnpm exec tsx bench/container.ts (as root). RUNS=n to change the sample count; KC_BENCH_STEPS=1 also
 * prints kc's median per step (create, start, wait, delete); KC_BENCH_RESULTS=DIR writes the JSON there.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBusyboxRootfs, Container, defaultConfig } from '@kc/container';
import { type CaseStats, measure } from './lib/measure.js';
import { report } from './lib/report.js';

const runs = Number(process.env.RUNS ?? 30);
const CASE = 'container start→exit of /bin/true';

function exitOf(cmd: string, args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const p = nodeSpawn(cmd, args, { stdio: 'ignore' });
    p.on('error', reject);
    p.on('exit', (code) => resolve(code));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'kc-bench-container-'));
const bundle = join(dir, 'bundle');
const stateRoot = join(dir, 'state');
buildBusyboxRootfs(join(bundle, 'rootfs'));
writeFileSync(join(bundle, 'config.json'), JSON.stringify(defaultConfig({ args: ['/bin/true'] })));

let n = 0;
const cases: CaseStats[] = [];
/** kc's time per step of each sample (create, start, wait, delete), printed with KC_BENCH_STEPS=1: where the time goes. */
const steps: number[][] = [];

try {
  cases.push(
    await measure(
      CASE,
      'kc',
      async () => {
        const t0 = performance.now();
        const c = await Container.create({ id: `bench-${process.pid}-${n++}`, bundle, root: stateRoot, stdio: ['ignore', 'ignore', 'ignore'] });
        const t1 = performance.now();
        await c.start();
        const t2 = performance.now();
        const exit = await c.wait();
        const t3 = performance.now();
        await c.delete();
        steps.push([t1 - t0, t2 - t1, t3 - t2, performance.now() - t3]);
        if (exit.exitCode !== 0) throw new Error(`kc: /bin/true exited ${JSON.stringify(exit)}`);
      },
      { runs },
    ),
  );
  cases.push(
    await measure(
      CASE,
      'runc',
      async () => {
        const code = await exitOf('runc', ['--root', join(dir, 'runc'), 'run', '--bundle', bundle, `bench-runc-${process.pid}-${n++}`]);
        if (code !== 0) throw new Error(`runc exited ${code}`);
      },
      { runs },
    ),
  );
  cases.push(
    await measure(
      CASE,
      'bwrap',
      async () => {
        const code = await exitOf('bwrap', [
          '--unshare-all',
          '--ro-bind',
          join(bundle, 'rootfs'),
          '/',
          '--proc',
          '/proc',
          '--dev',
          '/dev',
          '--cap-drop',
          'ALL',
          '/bin/true',
        ]);
        if (code !== 0) throw new Error(`bwrap exited ${code}`);
      },
      { runs },
    ),
  );
  cases.push(
    await measure(
      CASE,
      'node-spawn',
      async () => {
        if ((await exitOf('/bin/true', [])) !== 0) throw new Error('/bin/true failed');
      },
      { runs },
    ),
  );
  report('container', cases);
  if (process.env.KC_BENCH_STEPS) {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const timed = steps.slice(-runs);
    const cols = ['create', 'start', 'wait', 'delete'].map((name, i) => `${name} ${median(timed.map((s) => s[i] as number)).toFixed(2)}`);
    console.log(`\nkc steps, median ms of ${timed.length} runs: ${cols.join(', ')}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
