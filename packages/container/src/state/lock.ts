/**
 * A lock file that holds across processes, with no native code (issue #20,
 * item 4). The old lock created the file with O_EXCL and wrote the pid
 * afterwards, so a second process could read it empty, call it stale and
 * take it. Here a lock file is never seen incomplete: it is written under a
 * temporary name and then hard-linked into place (link(2) fails with EEXIST
 * when the name is taken), and it names its holder by pid AND start time (a
 * recycled pid is not mistaken for the holder) plus a random nonce.
 *
 * Breaking a lock whose holder died is the racy part of every lock file: two
 * processes may find the same stale lock, and the slower one must not remove
 * the lock the faster one has taken meanwhile. So the right to replace stale
 * lock N is itself a lock, `<name>.break.<nonce of N>`, taken the same way
 * (recursively, should its holder die too); only its holder replaces the lock
 * (rename(2) over it), and only after reading that the lock is still N. A
 * lock that was replaced is never N again, so a late breaker does nothing.
 * The kernel releases nothing here: a holder that dies leaves its file, which
 * the next taker breaks.
 */
import { closeSync, fstatSync, linkSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerError } from '../errors.js';
import { unlinkQuiet } from './atomic-file.js';
import { pidStartTime, sameProcessAlive } from './process-identity.js';
import { randomHex } from '../internal/random-hex.js';

/** Who holds a lock file. */
interface Holder {
  pid: number;
  startTime: number;
  nonce: string;
}

let selfStart: number | undefined;

function myLine(nonce: string): string {
  selfStart ??= pidStartTime(process.pid);
  return `${process.pid} ${selfStart} ${nonce}\n`;
}

/** Reads a lock file; undefined when it is gone. A file in the old format (a bare pid) gets a nonce from its inode. */
function readHolder(path: string): Holder | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const buf = Buffer.alloc(128);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const [pid, start, nonce] = buf.subarray(0, n).toString('utf8').trim().split(' ');
    return { pid: Number(pid) || 0, startTime: start === undefined ? -1 : Number(start), nonce: nonce ?? `ino${fstatSync(fd).ino}` };
  } finally {
    closeSync(fd);
  }
}

function holderAlive(h: Holder): boolean {
  if (h.pid <= 0) return false;
  if (h.startTime < 0) return pidStartTime(h.pid) >= 0; // old format: the pid alone
  return sameProcessAlive(h.pid, h.startTime);
}

/** Writes a complete holder file under a temporary name in `dir`; returns its path. */
function writeTemp(dir: string, nonce: string): string {
  const tmp = join(dir, `.lock-tmp.${nonce}`);
  writeFileSync(tmp, myLine(nonce), { flag: 'wx', mode: 0o600 });
  return tmp;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes `name` in `dir` for this process, waiting while a live process holds
 * it and breaking it when its holder is dead.
 * @throws {ContainerError} NOT_FOUND when `dir` is gone; EBUSY when a live holder keeps it past `deadline`.
 */
async function claim(dir: string, name: string, deadline: number, what: string): Promise<void> {
  const path = join(dir, name);
  for (let wait = 1; ; ) {
    const nonce = randomHex(12);
    let tmp: string;
    try {
      tmp = writeTemp(dir, nonce);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ContainerError(`${what} does not exist`, { code: 'NOT_FOUND', path: dir });
      throw e;
    }
    try {
      linkSync(tmp, path);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkQuiet(tmp);
    }
    const held = readHolder(path);
    if (!held) continue; // released meanwhile
    if (holderAlive(held)) {
      if (Date.now() > deadline) {
        throw new ContainerError(`${what} is locked by pid ${held.pid}`, {
          code: 'EBUSY',
          path,
          hint: 'another kc command is working on it; retry when it is done',
        });
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 20);
      continue;
    }
    // The holder died: win the right to replace exactly this lock file, then replace it if it is still the same one.
    const breaker = `${name}.break.${held.nonce}`;
    await claim(dir, breaker, deadline, what);
    try {
      if (readHolder(path)?.nonce === held.nonce) {
        const mine = writeTemp(dir, nonce);
        try {
          renameSync(mine, path);
        } catch (e) {
          unlinkQuiet(mine);
          throw e;
        }
        return;
      }
    } finally {
      unlinkQuiet(join(dir, breaker));
    }
  }
}

/** Options of {@link acquireLock}. */
export interface LockOptions {
  /** How long to wait for a live holder before failing with EBUSY. Default 15000. */
  timeoutMs?: number;
  /** What the lock protects, for error messages (e.g. `container "x"`). */
  what?: string;
}

/**
 * Takes the lock file `lock` in `dir` (which must exist) and returns its
 * release. Serialises processes and, within one process, concurrent callers.
 * @throws {ContainerError} NOT_FOUND when `dir` does not exist; EBUSY after `timeoutMs` of a live holder.
 */
export async function acquireLock(dir: string, options: LockOptions = {}): Promise<() => void> {
  const what = options.what ?? dir;
  try {
    await claim(dir, 'lock', Date.now() + (options.timeoutMs ?? 15_000), what);
  } catch (e) {
    // The directory went away while we waited (the container was deleted meanwhile).
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ContainerError(`${what} does not exist`, { code: 'NOT_FOUND', path: dir, cause: e });
    throw e;
  }
  return () => unlinkQuiet(join(dir, 'lock'));
}

/**
 * The content of a lock file naming this process as holder: for a directory
 * created with its lock already in place (see StateStore.reserve).
 */
export function lockFileContent(): string {
  return myLine(randomHex(12));
}
