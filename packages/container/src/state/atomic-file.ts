/**
 * File writes a reader never sees torn, and that survive a crash of the
 * writer at any instruction: the data goes to a temporary name and is renamed
 * over the target (rename(2) is atomic, and a killed process loses nothing
 * already in the page cache). A durable write also fsyncs the file before
 * the rename and the directory after it, so the rename survives a crash of
 * the machine (fsync(2) NOTES).
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/** A temporary name beside `path`, unique across processes and concurrent callers. */
export function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
}

/** fsync(2) of a directory, so a rename or link in it is on disk. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `path` atomically, and durably unless `durable` is false (see the file comment). */
export function writeFileAtomic(path: string, data: string, durable = true): void {
  const tmp = tempNameFor(path);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, data);
    if (durable) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkQuiet(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    unlinkQuiet(tmp);
    throw e;
  }
  if (durable) fsyncDirectory(dirname(path));
}

/** unlink(2) that ignores a missing file. */
export function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
