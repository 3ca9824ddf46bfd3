/**
 * A child process of lock.test.ts: takes the lock in DIR ROUNDS times and,
 * while holding it, claims a marker file with O_EXCL; a claim that fails
 * means another process held the lock at the same time (an overlap). Prints
 * `{"rounds":N,"overlaps":M}`. With CRASH_AT=k it drops the marker and
 * SIGKILLs itself while holding the lock in round k, leaving a stale lock
 * for the others to break.
 * Usage: node --import tsx lock-hammer.fixture.ts DIR ROUNDS [CRASH_AT]
 */
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock } from './lock.js';

const [dir, roundsArg, crashArg] = process.argv.slice(2) as [string, string, string | undefined];
const rounds = Number(roundsArg);
const crashAt = crashArg === undefined ? -1 : Number(crashArg);
const marker = join(dir, 'inside');
let overlaps = 0;
let done = 0;
for (let i = 0; i < rounds; i++) {
  const release = await acquireLock(dir, { timeoutMs: 60_000 });
  let mine = false;
  try {
    closeSync(openSync(marker, 'wx'));
    mine = true;
  } catch {
    overlaps++;
  }
  // Hold it across a turn of the event loop, so other processes run meanwhile.
  await new Promise((r) => setImmediate(r));
  if (mine) unlinkSync(marker);
  if (i === crashAt) process.kill(process.pid, 'SIGKILL');
  release();
  done++;
}
process.stdout.write(`${JSON.stringify({ rounds: done, overlaps })}\n`);
