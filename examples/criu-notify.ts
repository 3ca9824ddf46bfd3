/**
 * CRIU's notifications as awaitable events: a handler sees each point of a
 * dump and can veto it; bad input fails with a typed error before CRIU runs.
 * Run as root (CRIU >= 4): pnpm exec tsx examples/criu-notify.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Criu, CriuError } from '@kc/criu';

const dir = mkdtempSync(join(tmpdir(), 'kc-example-criu-'));
const criu = new Criu();
const counter = join(dir, 'counter');
execFileSync('cc', ['-O2', '-o', counter, fileURLToPath(new URL('../packages/criu/test/fixtures/counter.c', import.meta.url))]);
const child = spawn(counter, [join(dir, 'count'), '20'], { detached: true, stdio: 'ignore' });
try {
  await new Promise((r) => setTimeout(r, 200));
  const pid = child.pid as number;

  // 1. Veto: answer 'pre-dump' with false; CRIU aborts and the process runs on.
  try {
    await criu.dump({ pid, imagesDir: join(dir, 'vetoed'), notify: { 'pre-dump': async () => false } });
  } catch (e) {
    if (e instanceof CriuError) console.log(`veto: ${e.code}: ${e.message}`);
  }
  console.log(`images after veto: ${existsSync(join(dir, 'vetoed', 'inventory.img'))}`);

  // 2. Watch every notification of a dump that leaves the process running.
  const events: string[] = [];
  await criu.dump({
    pid,
    imagesDir: join(dir, 'ok'),
    leaveRunning: true,
    notify: async (n) => {
      events.push(n.kind);
    },
  });
  console.log(`events: ${events.join(', ')}`);

  // 3. Bad input: typed errors with a hint, before CRIU runs.
  for (const bad of [
    { pid: 4194303 + 1000, imagesDir: join(dir, 'x') },
    { pid, imagesDir: join(dir, 'x'), logFile: 'a/b' },
  ]) {
    try {
      await criu.dump(bad);
    } catch (e) {
      if (e instanceof CriuError) console.log(`error: ${e.code} field=${e.field} hint=${e.hint ? 'yes' : 'no'}`);
    }
  }
} finally {
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
