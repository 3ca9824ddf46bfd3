/**
 * The grouping trade-off of docs/kubernetes.md ("One shim per pod"): the
 * resident memory (VmRSS of /proc/PID/status) of one shim process serving 1,
 * 2 and 5 containers (a pod sandbox plus members joining it by the
 * `io.kubernetes.cri.sandbox-id` annotation), for kc's shim and runc's, and
 * the cost of starting a shim: `ctr run -d` of a container that starts its
 * own shim against one that joins a running shim (medians of `--runs` each).
 *
 * Run: pnpm exec tsx bench/shim-rss.ts [--runs N] (as root; needs containerd,
 * ctr, runc, busybox-static and a built @kc/container).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startContainerd } from '../packages/container/test/containerd-daemon.js';

const runsFlag = process.argv.indexOf('--runs');
const runs = Number(runsFlag >= 0 ? process.argv[runsFlag + 1] : (process.env.RUNS ?? 5));
const binDir = resolve(fileURLToPath(new URL('../packages/container/bin', import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'kc-bench-shim-rss-'));
const ns = `kc-bench-shim-rss-${process.pid}`;
const fifo = join(dir, 'fifo');
const cd = await startContainerd(dir, ns, { PATH: `${binDir}:${process.env.PATH}`, KC_SHIM_ROOT: join(dir, 'kc'), KC_SHIM_SOCKET_DIR: join(dir, 's') });
const shims = [
  { tool: 'kc', runtime: 'io.containerd.kc.v2' },
  { tool: 'runc', runtime: 'io.containerd.runc.v2' },
] as const;

/** The shim daemon serving `id`: a process whose command line names the id and a containerd-shim binary (not ctr). */
function shimOf(id: string): number {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (argv.includes(id) && argv.some((a) => a.includes('containerd-shim')) && !argv.some((a) => a.endsWith('ctr'))) return Number(p);
    } catch {
      /* exited */
    }
  }
  throw new Error(`no shim serves ${id}`);
}
const rssKiB = (pid: number) => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

let n = 0;
function runDetached(runtime: string, id: string, extra: string[] = []): number {
  const t0 = performance.now();
  const r = cd.ctr(['run', '-d', '--runtime', runtime, '--fifo-dir', fifo, ...extra, cd.image, id, 'sleep', '100000']);
  if (r.status !== 0) throw new Error(`ctr run -d --runtime ${runtime} ${id}: ${r.stderr.trim()}`);
  return performance.now() - t0;
}
function remove(id: string): void {
  cd.ctr(['task', 'kill', '-s', 'SIGKILL', id]);
  for (let i = 0; i < 200 && cd.ctr(['task', 'delete', id]).status !== 0; i++) cd.ctr(['task', 'ls']);
  cd.ctr(['container', 'rm', id]);
}

const lines: string[] = [];
try {
  for (const s of shims) {
    const own: number[] = [];
    const join_: number[] = [];
    const rss = new Map<number, number[]>();
    for (let r = 0; r < runs; r++) {
      const pod = `rss-${s.tool}-${n++}`;
      own.push(runDetached(s.runtime, pod));
      const shim = shimOf(pod);
      const members: string[] = [];
      const sample = (k: number) => rss.set(k, [...(rss.get(k) ?? []), rssKiB(shim)]);
      sample(1);
      for (let k = 2; k <= 5; k++) {
        const m = `${pod}-m${k}`;
        join_.push(runDetached(s.runtime, m, ['--annotation', `io.kubernetes.cri.sandbox-id=${pod}`]));
        members.push(m);
        if (k === 2 || k === 5) sample(k);
      }
      for (const m of members) remove(m);
      remove(pod);
    }
    lines.push(
      `${s.tool}: shim VmRSS serving 1/2/5 containers: ${[1, 2, 5].map((k) => `${(median(rss.get(k) ?? []) / 1024).toFixed(1)} MiB`).join(' / ')}; ` +
        `ctr run -d, new shim: ${median(own).toFixed(0)} ms, joining a running shim: ${median(join_).toFixed(0)} ms (medians of ${runs})`,
    );
  }
} finally {
  await cd.stop();
  for (const h of existsSync('/sys/fs/cgroup/unified') ? readdirSync('/sys/fs/cgroup') : ['.']) {
    const p = join('/sys/fs/cgroup', h, ns);
    if (existsSync(p) && statSync(p).isDirectory()) rmdirSync(p);
  }
  rmSync(dir, { recursive: true, force: true });
}
for (const l of lines) console.log(l);
