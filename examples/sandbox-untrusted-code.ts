/**
 * A sandbox for untrusted code with a time, memory and system-call budget,
 * composed from kc's primitives: each snippet runs in a fresh cgroup (memory,
 * pids and CPU limits), in new pid/mnt/net/ipc/uts namespaces on a read-only
 * busybox root with a private /tmp, as `nobody` with every capability gone and
 * no_new_privs set, under kc's default seccomp profile that also refuses
 * socket(2). The spawn's `timeoutMs` kills whatever still runs when the
 * wall-clock budget is spent (the snippet is PID 1 of its pid namespace, so
 * everything it forked dies with it), and its exit status says `timedOut`.
 * Four snippets show the four outcomes; a verdict table says what stopped
 * each one, with two accounts of what it used: the exit status (the rusage
 * the kernel reports when kc reaps the process: CPU time and peak RSS) and
 * the cgroup's (CPU time of every process in it, and the memory peak with
 * page cache and tmpfs).
 *
 * Run as root: pnpm exec tsx examples/sandbox-untrusted-code.ts
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Capabilities, toSpawnCapabilities } from '@kc/caps';
import { Cgroup } from '@kc/cgroups';
import { MountPlan } from '@kc/namespaces';
import { type ExitStatus, spawn } from '@kc/native';
import { Act, compile, kcDefaultPolicy, toSpawnSeccomp } from '@kc/seccomp';

const BUDGET = { memoryBytes: 64 * 2 ** 20, pids: 16, cpuQuotaUsec: 50_000, wallMs: 1500 };
const EPERM = 1;

/** The untrusted code: busybox sh snippets, each meant to hit one budget. */
const SNIPPETS: Record<string, string> = {
  normal:
    'echo "pid $$, uid $(id -u), host $(hostname)"; (echo > /x) 2>/dev/null || echo "/ read-only"; echo "/tmp writable" > /tmp/x && cat /tmp/x; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status',
  'memory-hog': 'a=x; while :; do a="$a$a"; done', // doubles a string until the limit
  'open-socket': 'nc 10.0.0.1 80', // busybox nc calls socket(AF_INET) first
  'infinite-loop': 'while :; do :; done',
};

// kc's default profile allows socket(2) for every family but AF_VSOCK. The first
// matching rule wins, so an appended deny would never match, and a prepended one is
// refused as a conflict: the old rule has to be replaced.
const base = kcDefaultPolicy();
const seccomp = toSpawnSeccomp(
  compile({ ...base, rules: [...base.rules.filter((r) => r.syscall !== 'socket'), { syscall: 'socket', action: Act.errno(EPERM) }] }),
);
// Every set empty, the bounding set too: nothing can be regained, even by a setuid binary.
const capabilities = toSpawnCapabilities(Capabilities.only([]));

// A root that holds busybox and nothing else; it is remounted read-only inside.
const root = mkdtempSync(join(tmpdir(), 'kc-example-sandbox-'));
function buildRoot(): void {
  chmodSync(root, 0o755); // mkdtemp makes it 0700, which `nobody` could not enter
  for (const d of ['bin', 'proc', 'tmp', 'dev']) mkdirSync(join(root, d));
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  for (const applet of ['sh', 'id', 'hostname', 'cat', 'grep', 'nc']) symlinkSync('busybox', join(root, 'bin', applet));
}
const mounts = new MountPlan()
  .rootfs(root)
  .proc() // a procfs of the new pid namespace: only the sandbox's processes
  .tmpfs('/dev', { create: false, data: 'mode=755' })
  .bind('/dev/null', '/dev/null', { file: true })
  .pivot()
  .remountReadonly('/') // recursive: /proc and /dev too, nothing below / stays writable
  .tmpfs('/tmp', { create: false, data: 'size=4m,mode=1777' }) // the one writable place, private and small: tmpfs pages count against the memory limit
  .steps();

interface Verdict {
  snippet: string;
  status: ExitStatus;
  wallMs: number;
  /** The cgroup's CPU time (cpu.stat usage_usec, or v1 cpuacct.usage), in microseconds. */
  groupCpuUs: number;
  /** The cgroup's memory high-water mark, in bytes. */
  groupPeakBytes: number;
  oomKills: number;
  verdict: string;
  output: string;
}

async function runSandboxed(sandboxes: Cgroup, name: string, script: string): Promise<Verdict> {
  // A fresh group per run: its OOM count and peak are this snippet's alone.
  await using box = sandboxes.createChild(name, {
    resources: {
      memory: { max: BUDGET.memoryBytes },
      pids: { max: BUDGET.pids },
      cpu: { quota: BUDGET.cpuQuotaUsec, period: 100_000 },
    },
  });
  try {
    box.set({ memory: { swapMax: 0 } }); // no escape into swap
  } catch {
    // swap accounting is off: there is no swap to escape into
  }
  const started = Date.now();
  await using child = spawn({
    // The time budget: kc kills the process (SIGKILL) when it runs out, and the exit status says `timedOut`.
    timeoutMs: BUDGET.wallMs,
    argv: ['/bin/sh', '-c', script],
    env: { PATH: '/bin', HOME: '/tmp' },
    cwd: '/tmp',
    namespaces: ['pid', 'mnt', 'net', 'ipc', 'uts'],
    hostname: 'sandbox',
    mounts,
    cgroup: box.spawnPlacement(),
    user: { uid: 65534, gid: 65534 },
    capabilities,
    noNewPrivileges: true,
    seccomp,
    rlimits: [
      { resource: 'nofile', soft: 64, hard: 64 },
      { resource: 'core', soft: 0, hard: 0 },
    ],
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d));
  child.stderr?.on('data', (d: Buffer) => (output += d));
  const status = await child.exited;
  const wallMs = Date.now() - started;
  const { memory, cpu } = box.stats(); // the cgroup's account: CPU time, peak usage and OOM kills
  const oomKills = memory?.oomKills ?? 0;
  const verdict = status.timedOut
    ? `time budget (${BUDGET.wallMs} ms) exceeded: killed`
    : oomKills > 0
      ? `memory budget (${BUDGET.memoryBytes / 2 ** 20} MiB) exceeded: OOM-killed`
      : /Operation not permitted/.test(output)
        ? 'denied system call (EPERM)'
        : status.exitCode === 0
          ? 'ok'
          : 'failed';
  return {
    snippet: name,
    status,
    wallMs,
    groupCpuUs: cpu?.usageUsec ?? 0,
    groupPeakBytes: memory?.peak ?? 0,
    oomKills,
    verdict,
    output: output.trim().replace(/\s*\n/g, '; ').replace(/\t/g, ' '),
  };
}

try {
  buildRoot();
  await using sandboxes = Cgroup.create(`kc-example-sandbox-${process.pid}`);
  console.log(
    `sandboxes under cgroup ${sandboxes.path} (${sandboxes.mode}); budget ${BUDGET.memoryBytes / 2 ** 20} MiB, ${BUDGET.pids} pids, ${BUDGET.cpuQuotaUsec / 1000}% CPU, ${BUDGET.wallMs} ms`,
  );
  const results: Verdict[] = [];
  for (const [name, script] of Object.entries(SNIPPETS)) results.push(await runSandboxed(sandboxes, name, script));
  const row = (cells: string[]) => console.log(`| ${cells.join(' | ')} |`);
  const ms = (us: number) => String(Math.round(us / 1000));
  const mib = (bytes: number) => String(Math.round(bytes / 2 ** 20));
  // "exit": the exit status' rusage (user + system CPU, peak RSS); "cgroup": the group's counters. The two CPU
  // times agree: one process did the work. The RSS peaks do not: the child starts as a clone of this Node process
  // and Linux carries the pre-exec high-water mark across execve (fs/exec.c), so the exit's max RSS is at least
  // Node's; the cgroup's peak counts only what the snippet charged (page cache and tmpfs included).
  row(['snippet', 'ended by', 'timed out', 'wall ms', 'exit cpu ms', 'cgroup cpu ms', 'exit max rss MiB', 'cgroup peak MiB', 'oom kills', 'verdict', 'output']);
  row(Array(11).fill('---'));
  for (const r of results) {
    const { status: st } = r;
    const endedBy = st.signal ?? `exit ${st.exitCode}`;
    row([
      r.snippet,
      endedBy,
      st.timedOut ? 'yes' : 'no',
      String(r.wallMs),
      ms(st.userCpuUs + st.systemCpuUs),
      ms(r.groupCpuUs),
      mib(st.maxRssBytes),
      mib(r.groupPeakBytes),
      String(r.oomKills),
      r.verdict,
      r.output,
    ]);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
