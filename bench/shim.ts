/**
 * containerd with kc's own shim (`io.containerd.kc.v2`, one long-lived Node
 * process that creates containers in-process) beside containerd's runc shim
 * (`io.containerd.runc.v2`, a runc call per operation), in one run against
 * one private containerd: `ctr run --rm` of busybox `/bin/true`,
 *  - `new shim`: each run starts its own shim (ctr's default);
 *  - `running shim`: each run joins a pod sandbox whose shim is already
 *    running (the `io.kubernetes.cri.sandbox-id` annotation both shims group
 *    by), which is how Kubernetes runs the containers of a pod.
 * The tools take turns within each round; medians of wall time, as ratios.
 *
 * Run: pnpm exec tsx bench/shim.ts [--runs N] (as root; needs containerd,
 * ctr, runc, busybox-static and a built @kc/container).
 */
import { existsSync, mkdtempSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startContainerd } from '../packages/container/test/containerd-daemon.js';
import { type CaseStats, summarise } from './lib/measure.js';
import { report } from './lib/report.js';

const runsFlag = process.argv.indexOf('--runs');
const runs = Number(runsFlag >= 0 ? process.argv[runsFlag + 1] : (process.env.RUNS ?? 20));
const warmup = 3;
const binDir = resolve(fileURLToPath(new URL('../packages/container/bin', import.meta.url)));

const dir = mkdtempSync(join(tmpdir(), 'kc-bench-shim-'));
const ns = `kc-bench-shim-${process.pid}`;
const cd = await startContainerd(dir, ns, {
  PATH: `${binDir}:${process.env.PATH}`,
  KC_SHIM_ROOT: join(dir, 'kc'),
  KC_SHIM_SOCKET_DIR: join(dir, 's'),
});
const shims = [
  { tool: 'kc', runtime: 'io.containerd.kc.v2' },
  { tool: 'runc', runtime: 'io.containerd.runc.v2' },
] as const;

let n = 0;
/** `ctr run --rm` of /bin/true under `runtime`; throws unless it exits 0. */
function runTrue(runtime: string, extra: string[] = []): void {
  const r = cd.ctr(['run', '--rm', '--runtime', runtime, '--fifo-dir', join(dir, 'fifo'), ...extra, cd.image, `bench-${n++}`, '/bin/true']);
  if (r.status !== 0) throw new Error(`ctr run --runtime ${runtime} exited ${r.status}: ${r.stderr.trim()}`);
}

/** One case: each shim in turn for `warmup + runs` rounds (the order rotating), the timed rounds summarised. */
function measureCase(name: string, once: (shim: (typeof shims)[number]) => void): CaseStats[] {
  const samples = new Map<string, number[]>(shims.map((s) => [s.tool, []]));
  for (let round = 0; round < warmup + runs; round++) {
    const order = round % 2 === 0 ? shims : [...shims].reverse();
    for (const s of order) {
      const t0 = performance.now();
      once(s);
      if (round >= warmup) samples.get(s.tool)?.push(performance.now() - t0);
    }
  }
  return shims.map((s) => summarise(name, s.tool, samples.get(s.tool) ?? []));
}

const cases: CaseStats[] = [];
try {
  cases.push(...measureCase('ctr run --rm /bin/true: new shim', (s) => runTrue(s.runtime)));
  // A pod sandbox per shim, whose shim the measured containers join.
  const pods = new Map<string, string>();
  for (const s of shims) {
    const pod = `bench-pod-${s.tool}`;
    const r = cd.ctr(['run', '-d', '--runtime', s.runtime, '--fifo-dir', join(dir, 'fifo'), cd.image, pod, 'sleep', '100000']);
    if (r.status !== 0) throw new Error(`pod sandbox under ${s.runtime}: ${r.stderr.trim()}`);
    pods.set(s.tool, pod);
  }
  cases.push(
    ...measureCase('ctr run --rm /bin/true: running shim', (s) => runTrue(s.runtime, ['--annotation', `io.kubernetes.cri.sandbox-id=${pods.get(s.tool)}`])),
  );
} finally {
  const left = await cd.stop(); // kills and removes the pods and anything a failed run left
  // containerd puts each namespace's containers in a cgroup parent named after it: this run's, now empty.
  for (const h of existsSync('/sys/fs/cgroup/unified') ? readdirSync('/sys/fs/cgroup') : ['.']) {
    const p = join('/sys/fs/cgroup', h, ns);
    if (existsSync(p) && statSync(p).isDirectory()) rmdirSync(p);
  }
  rmSync(dir, { recursive: true, force: true });
  if (left.length) console.error(`left mounted: ${left.join(', ')}`);
}

report('shim', cases);
