/**
 * A CI-style job runner: six shell jobs, at most three at a time, each in its
 * own cgroup with its own CPU quota, memory and pids limits. When a job ends
 * the runner reads what the kernel accounted to its group (CPU time,
 * throttling, memory peak, OOM kills, pids peak) and deletes the group, which
 * also kills anything the job left running in the background.
 *
 * Run as root: pnpm exec tsx examples/ci-job-runner.ts
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cgroup, type Resources } from '@kc/cgroups';
import { type ExitStatus, spawn } from '@kc/native';

interface Job {
  name: string;
  script: string;
  limits: Resources;
}
interface JobReport {
  name: string;
  status: ExitStatus;
  wallMs: number;
  cpuMs: number;
  throttled: number;
  memPeakMiB: number;
  oomKills: number;
  pidsPeak: number | undefined;
  leftovers: number[];
  log: string;
}

const MiB = 2 ** 20;
const CONCURRENCY = 3;
/** Half a CPU and 64 MiB unless a job asks for more: on 2 shared cores, jobs must not starve each other. */
const standard: Resources = { cpu: { quota: 50_000, period: 100_000 }, memory: { max: 64 * MiB }, pids: { max: 32 } };
const JOBS: Job[] = [
  { name: 'checkout', script: 'for f in a b c d; do seq 1 5000 > $f.txt; done; ls | wc -l', limits: standard },
  { name: 'build', script: 'for i in 1 2 3; do seq 1 40000 | sort -rn | md5sum > /dev/null; done; echo built', limits: standard },
  // Eight test shards in parallel: the pids peak shows the fan-out.
  {
    name: 'test',
    script: 'for i in 1 2 3 4 5 6 7 8; do (seq 1 20000 | md5sum > /dev/null) & done; wait; echo 8 shards passed',
    limits: { ...standard, pids: { max: 64 } },
  },
  // Starts a service it never stops: the runner's group delete kills it.
  { name: 'flaky-test', script: 'sleep 60 > /dev/null 2>&1 & echo "assertion failed" >&2; exit 3', limits: standard },
  // Builds a 20 MB artifact in memory (~40 MiB with the shell's copies): fits its raised 128 MiB limit.
  {
    name: 'package',
    script: 'x=$(head -c 20000000 /dev/zero | tr "\\0" a); echo "packed $(printf %s "$x" | wc -c) bytes"',
    limits: { ...standard, memory: { max: 128 * MiB } },
  },
  // Twice that under the standard 64 MiB: the kernel's OOM killer ends it.
  { name: 'package-small', script: 'x=$(head -c 40000000 /dev/zero | tr "\\0" a); echo "packed $(printf %s "$x" | wc -c) bytes"', limits: standard },
];

const t0 = Date.now();
const stamp = () => `[+${((Date.now() - t0) / 1000).toFixed(2)}s]`;
let running = 0;

/** `pids.peak` (Linux 6.1+, v1 and v2) is not in @kc/cgroups' PidsStats yet: read it from the pids hierarchy. */
function pidsPeak(group: Cgroup): number | undefined {
  const hierarchy = group.layout.controllers.get('pids');
  const file = hierarchy && join(hierarchy.mountPoint, group.path, 'pids.peak');
  return file && existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined;
}

/** True while `pid` exists and is not a zombie (a killed orphan may wait a moment for its new parent to reap it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

async function runJob(pipeline: Cgroup, workspace: string, job: Job): Promise<JobReport> {
  await using group = pipeline.createChild(job.name, { resources: job.limits });
  try {
    group.set({ memory: { swapMax: 0 } }); // the memory limit is the whole budget
  } catch {
    // no swap accounting: nothing to add
  }
  const cwd = join(workspace, job.name);
  mkdirSync(cwd);
  running++;
  console.log(`${stamp()} start ${job.name} (running: ${running})`);
  const started = Date.now();
  await using child = spawn({
    argv: ['/bin/busybox', 'sh', '-c', job.script],
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: cwd },
    cwd,
    cgroup: group.spawnPlacement(), // in the group before its first instruction: nothing escapes the accounting
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d));
  child.stderr?.on('data', (d: Buffer) => (log += d));
  const status = await child.exited;
  const wallMs = Date.now() - started;
  running--;
  console.log(`${stamp()} end   ${job.name}: ${status.signal ?? `exit ${status.exitCode}`}`);
  const { cpu, memory, pids } = group.stats();
  return {
    name: job.name,
    status,
    wallMs,
    cpuMs: Math.round((cpu?.usageUsec ?? 0) / 1000),
    throttled: cpu?.nrThrottled ?? 0,
    memPeakMiB: Math.round((memory?.peak ?? 0) / MiB),
    oomKills: memory?.oomKills ?? 0,
    pidsPeak: pidsPeak(group),
    leftovers: pids?.current ? group.procs() : [],
    log: log.trim().replace(/\s*\n/g, '; '),
  };
}

/** Runs `jobs` with at most `limit` at once; results in job order. */
async function runAll(jobs: Job[], limit: number, run: (job: Job) => Promise<JobReport>): Promise<JobReport[]> {
  const results: JobReport[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await run(jobs[i] as Job);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

const workspace = mkdtempSync(join(tmpdir(), 'kc-example-ci-'));
try {
  await using pipeline = Cgroup.create(`kc-example-ci-${process.pid}`);
  console.log(`pipeline ${pipeline.path} (${pipeline.mode}): ${JOBS.length} jobs, ${CONCURRENCY} at a time`);
  const reports = await runAll(JOBS, CONCURRENCY, (job) => runJob(pipeline, workspace, job));
  const row = (cells: (string | number)[]) => console.log(`| ${cells.join(' | ')} |`);
  row(['job', 'result', 'wall ms', 'cpu ms', 'throttled', 'mem peak MiB', 'oom kills', 'pids peak', 'left running', 'log']);
  row(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---']);
  for (const r of reports) {
    const result = r.status.signal ? `killed (${r.status.signal})` : r.status.exitCode === 0 ? 'pass' : `fail (exit ${r.status.exitCode})`;
    row([r.name, result, r.wallMs, r.cpuMs, r.throttled, r.memPeakMiB, r.oomKills, r.pidsPeak ?? 'n/a', r.leftovers.length, r.log]);
  }
  const leftovers = reports.flatMap((r) => r.leftovers);
  const alive = leftovers.filter(isRunning);
  console.log(`processes jobs left running: ${leftovers.length}; still alive after their groups were deleted: ${alive.length}`);
  console.log(`pipeline: ${reports.filter((r) => r.status.exitCode === 0).length}/${reports.length} passed in ${Date.now() - t0} ms`);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
