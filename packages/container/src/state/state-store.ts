import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { invalidArgument, KcError } from '@kc/native';
import { ContainerError } from '../errors.js';
import { fsyncDirectory, unlinkQuiet, writeFileAtomic } from './atomic-file.js';
import type { ContainerRecord, CreateStage } from './container-record.js';
import { acquireLock, lockFileContent } from './lock.js';
import { recordFromJson, recordToJson } from './record-json.js';
import { pidStartTime, sameProcessAlive } from './process-identity.js';
import { randomHex } from '../internal/random-hex.js';

/** The default state root, as runc's /run/runc. */
export const DEFAULT_STATE_ROOT = '/run/kc';

const ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Rejects container ids that are not safe directory names (runc's rule). */
export function validateId(id: string): void {
  if (typeof id !== 'string' || !ID.test(id) || id.length > 1024) {
    throw invalidArgument(
      ContainerError,
      'id',
      `invalid container id "${String(id)}"`,
      'use letters, digits, "_", "." and "-", starting with a letter or digit',
    );
  }
}

/**
 * Whether a record is written durably (fsync'd): a finished one is. A
 * write-ahead record (a `stage` is set) names what an unfinished create may
 * have made, for `delete -f` after kc itself died; a crash of the machine
 * ends those processes anyway, and state roots live on /run, which is a
 * tmpfs on current distributions. Leaving out its fsyncs keeps each stage to
 * a rename, as runc's state writes are.
 */
export function durableRecord(record: ContainerRecord): boolean {
  return record.stage === undefined;
}

/**
 * The on-disk registry of containers under a state root: one directory per
 * id holding `state.json` (the record, replaced atomically and durably at
 * every stage of create: see {@link CreateStage}), the exec fifo while the
 * container waits for `start`, and a lock file (see lock.ts). Another kc
 * process finds a container here by id, whatever stage it reached.
 */
export class StateStore {
  /** The state root directory. */
  readonly root: string;

  constructor(root: string = DEFAULT_STATE_ROOT) {
    this.root = root;
  }

  /** The directory of container `id`. */
  dir(id: string): string {
    validateId(id);
    return join(this.root, id);
  }

  /** Path of the exec fifo of container `id`. */
  fifoPath(id: string): string {
    return join(this.dir(id), 'exec.fifo');
  }

  /** True when a directory for `id` exists (a record, or what a crash left of one). */
  exists(id: string): boolean {
    return existsSync(this.dir(id));
  }

  /**
   * Reserves `record.id` with the record already in it and its lock held by
   * this process: both are written in a hidden directory that is then renamed
   * into place, so no other process ever sees the id without its record.
   * Returns the release of the lock.
   * @throws {ContainerError} `EEXIST` when a container with that id exists.
   */
  reserve(record: ContainerRecord): () => void {
    const dir = this.dir(record.id);
    stateMkdir(this.root, true);
    this.sweepReservations();
    const tmp = join(this.root, `${RESERVING}${process.pid}.${pidStartTime(process.pid)}.${randomHex(6)}`);
    stateMkdir(tmp, false);
    try {
      writeFileSync(join(tmp, 'lock'), lockFileContent(), { mode: 0o600 });
      writeFileAtomic(join(tmp, 'state.json'), recordToJson(record), durableRecord(record));
      // rename(2) of a directory fails on a non-empty target; an empty one (a crash's leftover, no record) is replaced.
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTEMPTY') {
        throw new ContainerError(`container "${record.id}" already exists`, { code: 'EEXIST', path: dir, hint: `delete it first: kc delete ${record.id}` });
      }
      throw e;
    }
    if (durableRecord(record)) fsyncDirectory(this.root);
    return () => unlinkQuiet(join(dir, 'lock'));
  }

  /**
   * Removes hidden reservation directories (see {@link StateStore.reserve})
   * whose process died before renaming them into place: they hold nothing
   * but a record and a lock nobody else has seen.
   */
  sweepReservations(): void {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return; // no state root yet
    }
    for (const name of names) {
      if (!name.startsWith(RESERVING)) continue;
      const [pid, start] = name.slice(RESERVING.length).split('.');
      if (!sameProcessAlive(Number(pid), Number(start))) rmSync(join(this.root, name), { recursive: true, force: true });
    }
  }

  /**
   * Writes the record atomically (temp file, rename): a reader never sees it
   * torn, and a kc process killed at any instruction leaves either the old or
   * the new one. A finished record is also durable (fsync of the file and the
   * directory); the write-ahead records of an unfinished create, which only
   * have to outlive the kc process, are not (see `durableRecord`).
   */
  save(record: ContainerRecord): void {
    writeFileAtomic(join(this.dir(record.id), 'state.json'), recordToJson(record), durableRecord(record));
  }

  /**
   * Reads container `id`.
   * @throws {ContainerError} `NOT_FOUND` when there is no such container.
   */
  load(id: string): ContainerRecord {
    const file = join(this.dir(id), 'state.json');
    try {
      return recordFromJson(readFileSync(file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ContainerError(`container "${id}" does not exist`, { code: 'NOT_FOUND', path: file, hint: 'list containers with `kc list`' });
      }
      if (e instanceof KcError && e.code === 'INVALID_ARGUMENT') {
        // Only a machine crash tears a record (they are renamed into place), and it ended what the record named.
        throw new ContainerError(`the record of container "${id}" is unreadable: ${e.message}`, {
          code: 'INVALID_FORMAT',
          path: file,
          hint: `kc delete --force ${id} removes it`,
          cause: e,
        });
      }
      throw e;
    }
  }

  /** Ids of all containers with a record, finished or not. */
  list(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root).filter((id) => ID.test(id) && existsSync(join(this.root, id, 'state.json')));
  }

  /**
   * Removes the container's directory: first everything but the record
   * (fifo, temporary files), then the record, then the lock and the
   * directory, so a removal cut short leaves either the record or nothing
   * a later `delete` needs.
   */
  remove(id: string): void {
    const dir = this.dir(id);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const n of names) if (n !== 'state.json' && n !== 'lock') rmSync(join(dir, n), { recursive: true, force: true });
    unlinkQuiet(join(dir, 'state.json'));
    // Another process may drop a temporary lock file in meanwhile (it then finds no container and removes it):
    // retry the removal, with Node's linear backoff (10, 20, … ms: up to 2.1 s in all; a slow machine, such as
    // an emulated guest, needed more than the 75 ms of 5 × 5 ms).
    rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 10 });
  }

  /**
   * Runs `fn` holding the container's lock (see lock.ts: it holds across
   * processes, and a lock left by a dead process is taken over), so two kc
   * processes never change one container at once.
   * @throws {ContainerError} NOT_FOUND when the container does not exist; EBUSY when another live process holds it too long.
   */
  async withLock<T>(id: string, fn: () => Promise<T> | T): Promise<T> {
    const release = await acquireLock(this.dir(id), { what: `container "${id}"` });
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/**
 * mkdir of the state root (`recursive`) or of a directory in it, with a
 * typed error naming the directory when the caller may not write there (a
 * rootless kc pointed at /run/kc, a read-only --root).
 */
function stateMkdir(dir: string, recursive: boolean): void {
  try {
    mkdirSync(dir, { recursive, mode: 0o711 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw e;
    throw new ContainerError(`cannot write the state directory ${recursive ? dir : dirname(dir)}: ${code}`, {
      code,
      path: (e as NodeJS.ErrnoException).path ?? dir,
      hint: 'pass --root with a directory you can write; without root the default is $XDG_RUNTIME_DIR/kc',
      cause: e,
    });
  }
}

/** Prefix of the hidden directories {@link StateStore.reserve} fills before renaming them to the id (not a valid id). */
const RESERVING = '.reserving.';

export { pidStartTime, sameProcessAlive, signalRecordedProcess } from './process-identity.js';
export { unlinkQuiet } from './atomic-file.js';
