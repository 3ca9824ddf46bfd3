/**
 * @kc/cgroups vs cgroup-tools: one cgroup's whole life per run — create, set
 * memory/cpu/pids limits, move a process in, move it out, delete — measured
 * side by side in one run, reported as a ratio. Also checks no group leaks.
 *
 * Peer notes: cgroup-tools 2.0.2's `cgdelete -g a,b,c:/x` removes the group
 * from only one hierarchy per call on this hybrid host, so the peer calls it
 * once per controller (otherwise it leaks two directories per run).
 *
 * Run (as root): pnpm exec tsx bench/cgroups.ts
 */
import { execFileSync, spawn as spawnChild } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Cgroup, detectLayout, type Resources } from '@kc/cgroups';
import { measure } from './lib/measure.js';
import { report } from './lib/report.js';

const layout = detectLayout();
const controllers = ['memory', 'cpu', 'pids'].filter((c) => layout.controllers.has(c));
const runs = Number(process.env.RUNS ?? 100);
const limits: Resources = {
  memory: { max: 64 * 2 ** 20 },
  cpu: { quota: 50_000, period: 100_000 },
  pids: { max: 64 },
};
const prefix = `kc-bench-${process.pid}`;

// A process to move in and out; it lives in a parking group of ours, so the
// host's own groups are never written.
const park = Cgroup.create(`${prefix}-park`);
const helper = spawnChild('sleep', ['3600'], { stdio: 'ignore' });
const pid = helper.pid as number;
park.addProcess(pid);

let n = 0;
const kcCase = await measure(
  'create+limits+join+destroy',
  'kc',
  async () => {
    const cg = Cgroup.create(`${prefix}-kc-${n++}`, { resources: limits });
    cg.addProcess(pid);
    park.addProcess(pid);
    await cg.delete();
  },
  { runs, warmup: 5 },
);

const tool = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'ignore' });
const ctl = controllers.join(',');
const cases = [kcCase];
if (existsSync('/usr/bin/cgcreate') && layout.mode !== 'unified') {
  const parkPath = park.path;
  let m = 0;
  cases.push(
    await measure(
      'create+limits+join+destroy',
      'cgroup-tools',
      () => {
        const path = `/${prefix}-tools-${m++}`;
        tool('cgcreate', ['-g', `${ctl}:${path}`]);
        tool('cgset', ['-r', 'memory.limit_in_bytes=67108864', '-r', 'cpu.cfs_period_us=100000', '-r', 'cpu.cfs_quota_us=50000', '-r', 'pids.max=64', path]);
        tool('cgclassify', ['-g', `${ctl}:${path}`, String(pid)]);
        tool('cgclassify', ['-g', `${ctl}:${parkPath}`, String(pid)]);
        for (const c of controllers) tool('cgdelete', ['-g', `${c}:${path}`]);
      },
      { runs: Math.max(10, Math.floor(runs / 5)), warmup: 2 },
    ),
  );
}

helper.kill('SIGKILL');
await new Promise((r) => helper.once('exit', r));
await park.delete();

const leaked: string[] = [];
for (const m of [...layout.v1.map((h) => h.mountPoint), ...(layout.unified ? [layout.unified.mountPoint] : [])]) {
  for (const d of readdirSync(m)) if (d.startsWith(prefix)) leaked.push(`${m}/${d}`);
}
report('cgroups', cases);
const [kc, peer] = cases;
if (kc && peer)
  console.log(
    `\nkc is ${(peer.median_ms / kc.median_ms).toFixed(1)}x faster than cgroup-tools (median), ${(1000 / kc.median_ms).toFixed(0)} lifecycles/s vs ${(1000 / peer.median_ms).toFixed(0)}/s`,
  );
console.log(leaked.length ? `LEAKED: ${leaked.join(' ')}` : 'no leaked groups');
