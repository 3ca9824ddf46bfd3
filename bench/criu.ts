/**
 * Checkpoint/restore overhead: dump + restore of one process holding 100 MiB
 * of touched memory, through kc (CRIU's RPC protocol, `criu swrk`) and
 * through the `criu` CLI (`criu dump` then `criu restore -d -S`), alternating
 * on the same process in one run. Images go to /dev/shm so the disk does not
 * dominate. Needs root and CRIU >= 4 (bash scripts/install-criu.sh).
 *
 * Run: pnpm exec tsx bench/criu.ts [--runs N]
 */
import { execFileSync, spawn as nodeSpawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Criu, RestoredProcess, locateCriu } from '@kc/criu';
import { type CaseStats, summarise } from './lib/measure.js';
import { report } from './lib/report.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 10;
const MIB = 100;
const CASE = `dump+restore, ${MIB} MiB touched`;

const work = mkdtempSync(join(tmpdir(), 'kc-bench-criu-'));
const shm = mkdtempSync('/dev/shm/kc-bench-criu-');
const counter = join(work, 'counter');
execFileSync('cc', ['-O2', '-o', counter, fileURLToPath(new URL('../packages/criu/test/fixtures/counter.c', import.meta.url))]);

const criu = new Criu();
const bin = locateCriu();

function freshDir(name: string): string {
  const d = join(shm, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  return d;
}

/** Resolves once the dumped (and killed) generation is reaped, so its pid is free again. */
type Reaped = () => Promise<unknown>;

/** kc: RPC dump (kills the tree) then RPC restore as our child. */
async function viaKc(pid: number, reaped: Reaped): Promise<RestoredProcess> {
  const dir = freshDir('kc');
  await criu.dump({ pid, imagesDir: dir });
  await reaped();
  const r = await criu.restore({ imagesDir: dir });
  if (!r.process) throw new Error('kc: no restored process');
  return r.process;
}

/** CLI: the same two operations as separate `criu` runs; -S makes the root our child too. */
async function viaCli(pid: number, reaped: Reaped): Promise<RestoredProcess> {
  const dir = freshDir('cli');
  execFileSync(bin, ['dump', '-t', String(pid), '-D', dir, '-o', 'dump.log']);
  await reaped();
  execFileSync(bin, ['restore', '-D', dir, '-d', '-S', '-o', 'restore.log', '--pidfile', join(dir, 'pid')]);
  return new RestoredProcess(Number(readFileSync(join(dir, 'pid'), 'utf8')));
}

// The first generation is a Node child; later ones are restored children reaped by RestoredProcess.
const first = nodeSpawn(counter, [join(work, 'count'), '50', String(MIB)], { detached: true, stdio: 'ignore' });
const pid = first.pid as number;
await new Promise((r) => setTimeout(r, 1500)); // let it touch all its memory
const firstExit = new Promise((r) => first.once('exit', r));
let current: RestoredProcess | null = null;

const samples: Record<'kc' | 'criu', number[]> = { kc: [], criu: [] };
try {
  for (let i = 0; i < runs + 2; i++) {
    for (const tool of ['kc', 'criu'] as const) {
      const t0 = performance.now();
      const prev = current;
      const reaped: Reaped = () => (prev ? prev.exited : firstExit);
      const next = tool === 'kc' ? await viaKc(pid, reaped) : await viaCli(pid, reaped);
      const ms = performance.now() - t0;
      current = next;
      if (next.pid !== pid) throw new Error(`restored pid ${next.pid} is not ${pid}`);
      if (i >= 2) samples[tool].push(ms); // two warm-up rounds
    }
  }
} finally {
  if (current) await current[Symbol.asyncDispose]();
  first.kill('SIGKILL');
  if (!process.env.KC_BENCH_KEEP) rmSync(shm, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}

const cases: CaseStats[] = [summarise(CASE, 'kc', samples.kc), summarise(CASE, 'criu', samples.criu)];
report('criu', cases);
const [kc, cli] = cases;
if (kc && cli) {
  const overhead = (kc.median_ms / cli.median_ms - 1) * 100;
  console.log(
    `\nkc / criu CLI median ratio: ${(kc.median_ms / cli.median_ms).toFixed(3)} (${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)} % overhead; target <= 5 %)`,
  );
}
