import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { invalidArgument } from '@kc/native';
import { ContainerError } from '../errors.js';
import type { ContainerRecord } from './container-record.js';

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
 * The on-disk registry of containers under a state root: one directory per
 * id holding `state.json` (written atomically by rename), the exec fifo while
 * the container waits for `start`, and a lock file. Another kc process finds
 * a container here by id.
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

  /**
   * Reserves `id`: creates its directory, failing when it exists.
   * @throws {ContainerError} `EEXIST` when a container with that id exists.
   */
  reserve(id: string): string {
    const dir = this.dir(id);
    mkdirSync(this.root, { recursive: true, mode: 0o711 });
    try {
      mkdirSync(dir, { mode: 0o711 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new ContainerError(`container "${id}" already exists`, { code: 'EEXIST', path: dir, hint: `delete it first: kc delete ${id}` });
      }
      throw e;
    }
    return dir;
  }

  /** Writes the record atomically. */
  save(record: ContainerRecord): void {
    const dir = this.dir(record.id);
    const tmp = join(dir, `.state.json.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, join(dir, 'state.json'));
  }

  /**
   * Reads container `id`.
   * @throws {ContainerError} `NOT_FOUND` when there is no such container.
   */
  load(id: string): ContainerRecord {
    const file = join(this.dir(id), 'state.json');
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ContainerRecord;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ContainerError(`container "${id}" does not exist`, { code: 'NOT_FOUND', path: file, hint: 'list containers with `kc list`' });
      }
      throw e;
    }
  }

  /** Ids of all containers with a saved state. */
  list(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root).filter((id) => ID.test(id) && existsSync(join(this.root, id, 'state.json')));
  }

  /**
   * Removes the container's directory (state, fifo, lock). The usual case —
   * only state.json left — costs one unlink and one rmdir; anything else
   * falls back to a recursive removal.
   */
  remove(id: string): void {
    const dir = this.dir(id);
    try {
      unlinkQuiet(join(dir, 'state.json'));
      rmdirSync(dir);
    } catch {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Runs `fn` holding the container's lock (an O_EXCL lock file naming the
   * holder's pid; a lock left by a dead process is taken over), so two kc
   * processes never change one container at once.
   */
  async withLock<T>(id: string, fn: () => Promise<T> | T): Promise<T> {
    const lock = join(this.dir(id), 'lock');
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(lock, 'wx');
        writeFileSync(fd, String(process.pid));
        closeSync(fd);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new ContainerError(`container "${id}" does not exist`, { code: 'NOT_FOUND', path: lock });
        if (code !== 'EEXIST') throw e;
        const holder = Number(readFileSync(lock, 'utf8').trim() || '0');
        if (!holder || !pidAlive(holder)) rmSync(lock, { force: true });
        else if (attempt > 500) throw new ContainerError(`container "${id}" is locked by pid ${holder}`, { code: 'EBUSY', path: lock });
        else await new Promise((r) => setTimeout(r, 10));
      }
    }
    try {
      return await fn();
    } finally {
      unlinkQuiet(lock);
    }
  }
}

/** unlink(2) that ignores a missing file. */
export function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** True when a process with this pid exists (signal 0, kill(2)). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 (starttime) of /proc/PID/stat, or -1 when the process is gone. */
export function pidStartTime(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return -1;
  }
}

/** True when `pid` still is the process recorded (alive, not a zombie, same start time). */
export function sameProcessAlive(pid: number, startTime: number): boolean {
  if (pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && fields[0] !== 'X' && Number(fields[19]) === startTime;
  } catch {
    return false;
  }
}
