/**
 * Spawn latency: kc's spawn pipeline in five new namespaces (pid, mnt, uts,
 * ipc, net) beside Node's child_process.spawn, util-linux unshare,
 * bubblewrap (`bwrap --unshare-all --ro-bind / / /bin/true`) and `runc run`,
 * all starting /bin/true, in one run. Writes bench/results/spawn.json and the
 * raw samples (spawn.samples.json) that bench/chart.ts draws.
 *
 * Run: pnpm exec tsx bench/spawn.ts [--runs N]
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { spawn } from '@kc/native';
import { measure, type CaseStats } from './lib/measure.js';
import { have, runCommand, runcBundle } from './lib/peers.js';
import { report } from './lib/report.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 200;
const cases: CaseStats[] = [];

async function kcSpawn(namespaces: ('pid' | 'mnt' | 'uts' | 'ipc' | 'net')[]) {
  const p = spawn({ argv: ['/bin/true'], namespaces, stdio: ['ignore', 'ignore', 'ignore'] });
  const s = await p.exited;
  if (s.exitCode !== 0) throw new Error(`kc: exit ${s.exitCode}`);
}

function nodeTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = nodeSpawn('/bin/true', [], { stdio: 'ignore' });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
  });
}

const NS5 = ['pid', 'mnt', 'uts', 'ipc', 'net'] as const;
cases.push(await measure('/bin/true, no namespaces', 'kc', () => kcSpawn([]), { runs }));
cases.push(await measure('/bin/true, no namespaces', 'node child_process', nodeTrue, { runs }));
cases.push(await measure('/bin/true in 5 new namespaces', 'kc', () => kcSpawn([...NS5]), { runs }));
cases.push(await measure('/bin/true in 5 new namespaces', 'node child_process (no ns)', nodeTrue, { runs }));
if (have('unshare')) {
  cases.push(
    await measure('/bin/true in 5 new namespaces', 'unshare', () => runCommand('unshare', ['-p', '-m', '-u', '-i', '-n', '--fork', '/bin/true']), { runs }),
  );
}
if (have('bwrap')) {
  // bwrap --unshare-all also creates user and cgroup namespaces: a superset of kc's five.
  cases.push(
    await measure('/bin/true in 5 new namespaces', 'bwrap', () => runCommand('bwrap', ['--unshare-all', '--ro-bind', '/', '/', '/bin/true']), { runs }),
  );
}
if (have('runc')) {
  const bundle = runcBundle(['/bin/true']);
  let n = 0;
  try {
    cases.push(
      await measure('/bin/true in 5 new namespaces', 'runc run', () => runCommand('runc', ['run', '--bundle', bundle.dir, `kc-bench-${process.pid}-${n++}`]), {
        runs: Math.min(runs, 50),
      }),
    );
  } finally {
    bundle.cleanup();
  }
}
report('spawn', cases);
