/**
 * Checkpoint/restore through CRIU's RPC protocol: a counting process runs as
 * pid 1 of its own pid and mount namespaces (kc spawn), is dumped (and so
 * killed), then restored; the counter goes on from where it stopped. The
 * images are read back like `crit show`.
 * Run as root (CRIU >= 4: bash scripts/install-criu.sh): pnpm exec tsx examples/criu-checkpoint.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from '@kc/native';
import { Criu, readInventory, readPstree } from '@kc/criu';

const dir = mkdtempSync(join(tmpdir(), 'kc-example-criu-'));
const count = () => Number.parseInt(readFileSync(join(dir, 'count'), 'utf8'), 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
try {
  // A tiny C program that writes an in-memory counter to a file every 20 ms.
  const counter = join(dir, 'counter');
  execFileSync('cc', ['-O2', '-o', counter, fileURLToPath(new URL('../packages/criu/test/fixtures/counter.c', import.meta.url))]);
  const proc = spawn({ argv: [counter, join(dir, 'count'), '20'], namespaces: ['pid', 'mnt'], setsid: true, stdio: ['ignore', 'ignore', 'ignore'] });
  await sleep(300);

  const criu = new Criu();
  console.log(`criu ${(await criu.version()).text}`);
  const images = join(dir, 'images');
  const dump = await criu.dump({ pid: proc.pid, imagesDir: images });
  console.log(`dumped pid ${proc.pid}: ${dump.stats?.pagesWritten} pages written; the process was killed by ${(await proc.exited).signal}`);
  const atDump = count();
  console.log(`counter at dump: ${atDump > 0 ? 'positive' : atDump}`);
  for (const p of readPstree(images)) console.log(`pstree: pid ${p.pid} ppid ${p.ppid} sid ${p.sid} threads ${p.threads.length}`);
  console.log(`inventory: image version ${readInventory(images).imageVersion}`);

  // The dumped mount namespace's root mount is restored on '/'.
  const restored = await criu.restore({ imagesDir: images, root: '/' });
  await sleep(300);
  const nspid = readFileSync(`/proc/${restored.pid}/status`, 'utf8')
    .match(/NSpid:\s+(.*)/)?.[1]
    ?.split(/\s+/);
  console.log(`restored as host pid ${restored.pid === Number(nspid?.[0]) ? 'ok' : '?'}, pid ${nspid?.[1]} in its namespace`);
  console.log(`counter continued: ${count() > atDump}`);
  restored.process?.kill('SIGKILL');
  console.log(`restored process ended by ${(await restored.process?.exited)?.signal}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
