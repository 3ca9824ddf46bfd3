/** Fixtures of the crash-consistency tests (issue #19): kc runs with fault injection, and what a container can leave on the host. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KC } from './helpers.js';

/** The SDK fixture: a Node program using @kc/container that the tests kill. */
export const SDK_FIXTURE = fileURLToPath(new URL('./fixtures/sdk-crash.mjs', import.meta.url));

/** Result of a kc run: exit status, or the signal that ended it. */
export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Commands whose processes may outlive kc holding its stdio: they get /dev/null, so the run ends when kc does. */
const LEAVES_PROCESSES = new Set(['create', 'run', 'exec', 'restore']);

/** Runs kc synchronously with `KC_TEST_CRASH_AT` (when given). */
export function kcAt(stage: string | undefined, args: string[]): Run {
  const env = { ...process.env, KC_TEST_CRASH_AT: stage ?? '' };
  const quiet = args.some((a) => LEAVES_PROCESSES.has(a));
  const r = spawnSync(KC, args, { env, encoding: 'utf8', stdio: quiet ? 'ignore' : ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Starts `cmd` and SIGKILLs it after `delayMs` (the fault is the point: an engine's timeout); resolves when it has exited. */
export function killAfter(cmd: string, args: string[], delayMs: number): Promise<{ status: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('error', reject);
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal });
    });
  });
}

/** Resolves once `done()` holds, polling observable state; rejects after `timeoutMs`. */
export async function waitUntil(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** True while a process with this pid exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line contains `marker`, or whose cgroup path names `id`. */
function processesOf(id: string, markers: readonly string[]): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid || !alive(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const cg = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      if (markers.some((m) => cmd.includes(m)) || cg.includes(`/${id}\n`) || cg.includes(`/${id}/`)) out.push(pid);
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Everything of container `id` that can outlive kc: processes, cgroup directories, host mounts, state files. */
export interface Leftovers {
  processes: number[];
  cgroups: string[];
  mounts: string[];
  state: string[];
}

/**
 * What container `id` left: processes (by `markers` in their command line,
 * or by cgroup), its cgroup path in EVERY hierarchy under /sys/fs/cgroup
 * (`cgroupPath`, default kc's `/kc/<id>`), host mount points naming the id
 * or `mountMarkers`, and its state directory (record, fifo, lock) or a
 * hidden reservation under `root`.
 */
export function leftovers(
  id: string,
  root: string,
  markers: readonly string[],
  options: { cgroupPath?: string; mountMarkers?: readonly string[] } = {},
): Leftovers {
  const cgroupPath = options.cgroupPath ?? `kc/${id}`;
  const cgroups = readdirSync('/sys/fs/cgroup')
    .map((h) => join('/sys/fs/cgroup', h, cgroupPath))
    .filter((d) => existsSync(d));
  const mountWords = [id, ...(options.mountMarkers ?? [])];
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => mountWords.some((w) => l.includes(w)));
  const state = existsSync(root) ? readdirSync(root).filter((n) => n === id || n.startsWith('.reserving.')) : [];
  return { processes: processesOf(id, markers), cgroups, mounts, state };
}

/** {@link Leftovers} with nothing in it. */
export const NOTHING: Leftovers = { processes: [], cgroups: [], mounts: [], state: [] };
