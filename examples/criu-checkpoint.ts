/**
 * Checkpoint/restore through CRIU's RPC protocol, with a CRIU-friendly spawn:
 * a counting process runs as pid 1 of its own pid and mount namespaces, with
 * stdio 'ignore' (a /dev/null the child opened in its own root) and a minimal
 * mount namespace (the host root alone, a fresh /proc and /dev: none of the
 * host's other mounts, which CRIU could not dump). It is dumped (and so
 * killed), then restored; the counter goes on from where it stopped. The
 * images are read back like `crit show`.
 * Run as root (CRIU >= 4: bash scripts/install-criu.sh): pnpm exec tsx examples/criu-checkpoint.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from '@kc/native';
import { minimalMounts } from '@kc/namespaces';
import { Criu, readInventory, readPstree } from '@kc/criu';

/** Mount points of a process's mount namespace (/proc/PID/mountinfo, fifth field). */
const mountPoints = (pid: number | 'self') =>
  readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4] as string);

/** The host mount `path` lies on (the longest mount point above it): kept in the minimal namespace unless it is the root. */
const mountOf = (path: string) =>
  mountPoints('self')
    .filter((m) => m === '/' || path === m || path.startsWith(`${m}/`))
    .reduce((a, b) => (b.length > a.length ? b : a), '/');

/** Polls `f` every 10 ms until it is true (an observable state, not a guess of time), for at most 10 s. */
async function until(what: string, f: () => boolean): Promise<void> {
  for (const end = Date.now() + 10_000; !f(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'kc-example-criu-'));
const count = () => {
  try {
    return Number.parseInt(readFileSync(join(dir, 'count'), 'utf8'), 10);
  } catch {
    return -1; // not written yet
  }
};
try {
  // A tiny C program that writes an in-memory counter to a file every 20 ms (keeping its stdio open).
  const counter = join(dir, 'counter');
  execFileSync('cc', ['-O2', '-o', counter, fileURLToPath(new URL('../packages/criu/test/fixtures/counter.c', import.meta.url))]);
  const home = mountOf(dir);
  const proc = spawn({
    argv: [counter, join(dir, 'count'), '20'],
    env: { KC_COUNTER_KEEP_STDIO: '1' },
    namespaces: ['pid', 'mnt'],
    mounts: minimalMounts({ keep: home === '/' ? [] : [home] }),
    setsid: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  console.log(`host mounts: ${mountPoints('self').length}; in the counter's namespace: ${mountPoints(proc.pid).sort().join(' ')}`);
  const stdio = [0, 1, 2].map((fd) => readlinkSync(`/proc/${proc.pid}/fd/${fd}`));
  const devMount = readFileSync(`/proc/${proc.pid}/mountinfo`, 'utf8').match(/^(\d+) \S+ \S+ \S+ \/dev /m)?.[1];
  const onOwnDev = [0, 1, 2].every((fd) => readFileSync(`/proc/${proc.pid}/fdinfo/${fd}`, 'utf8').includes(`mnt_id:\t${devMount}\n`));
  console.log(`stdio: ${stdio.join(' ')}, on the namespace's own /dev: ${onOwnDev}`);
  await until('the counter to start', () => count() >= 3);

  const criu = new Criu();
  console.log(`criu ${(await criu.version()).text}`);
  const images = join(dir, 'images');
  const dump = await criu.dump({ pid: proc.pid, imagesDir: images });
  console.log(`dumped pid ${proc.pid}: ${dump.stats?.pagesWritten} pages written; the process was killed by ${(await proc.exited).signal}`);
  const atDump = count();
  console.log(`counter at dump: ${atDump > 0 ? 'positive' : atDump}`);
  for (const p of readPstree(images)) console.log(`pstree: pid ${p.pid} ppid ${p.ppid} sid ${p.sid} threads ${p.threads.length}`);
  console.log(`inventory: image version ${readInventory(images).imageVersion}`);

  // The dumped mount namespace's root mount (the host root) is restored on '/'.
  const restored = await criu.restore({ imagesDir: images, root: '/' });
  const nspid = readFileSync(`/proc/${restored.pid}/status`, 'utf8')
    .match(/NSpid:\s+(.*)/)?.[1]
    ?.split(/\s+/);
  console.log(`restored as host pid ${restored.pid === Number(nspid?.[0]) ? 'ok' : '?'}, pid ${nspid?.[1]} in its namespace`);
  // The first value written after the restore says it all: atDump + 1 if it continued, a small number if it started over.
  await until('the restored counter to write', () => count() !== atDump);
  console.log(`counter continued: ${count() > atDump}`);
  restored.process?.kill('SIGKILL');
  console.log(`restored process ended by ${(await restored.process?.exited)?.signal}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
