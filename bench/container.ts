/**
 * The full-container benchmark of DESIGN.md: start→exit of /bin/true in a
 * container (pid, mnt, uts, ipc, net, cgroup namespaces; a cgroup; pivot_root
 * into a busybox rootfs; Docker's capability set; seccomp default profile;
 * read-only root, masked paths, minimal /dev), from a warm Node process.
 * kc (the Container API in this process) beside `runc run`, `bwrap
 * --unshare-all` and Node's bare `child_process.spawn('/bin/true')`, in one run.
 *
 * Run: pnpm exec tsx bench/container.ts (as root). RUNS=n to change the sample count.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
try {
  cases.push(
    await measure(
      CASE,
      'kc',
      async () => {
        const c = await Container.create({ id: `bench-${process.pid}-${n++}`, bundle, root: stateRoot, stdio: ['ignore', 'ignore', 'ignore'] });
        await c.start();
        const exit = await c.wait();
        await c.delete();
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
} finally {
  rmSync(dir, { recursive: true, force: true });
}
