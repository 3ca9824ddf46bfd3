import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KcErrorCode, invalidArgument } from '@kc/native';
import { CriuError } from '../errors.js';
import type { CommonOptions } from '../options.js';

/** Checks the shape of the options every operation shares (pure). */
export function validateCommon(o: CommonOptions | undefined, op: string): void {
  if (o === null || typeof o !== 'object') throw invalidArgument(CriuError, op, 'options must be an object');
  if (typeof o.imagesDir !== 'string' || o.imagesDir.length === 0) {
    throw invalidArgument(CriuError, 'imagesDir', 'must be a non-empty path', 'pass the directory for the image files');
  }
  if (o.workDir !== undefined && (typeof o.workDir !== 'string' || o.workDir.length === 0)) {
    throw invalidArgument(CriuError, 'workDir', 'must be a non-empty path');
  }
  if (o.logFile !== undefined && (typeof o.logFile !== 'string' || o.logFile.length === 0 || o.logFile.includes('/'))) {
    throw invalidArgument(CriuError, 'logFile', `${JSON.stringify(o.logFile)} must be a plain file name`, 'CRIU writes the log inside the work dir; set workDir to move it');
  }
  if (o.logLevel !== undefined && !(Number.isInteger(o.logLevel) && o.logLevel >= 0 && o.logLevel <= 4)) {
    throw invalidArgument(CriuError, 'logLevel', `${o.logLevel} is not 0..4`);
  }
  if (o.timeoutSeconds !== undefined && !(Number.isInteger(o.timeoutSeconds) && o.timeoutSeconds > 0)) {
    throw invalidArgument(CriuError, 'timeoutSeconds', `${o.timeoutSeconds} is not a positive integer`);
  }
  if (o.notify !== undefined && typeof o.notify !== 'function' && (o.notify === null || typeof o.notify !== 'object')) {
    throw invalidArgument(CriuError, 'notify', 'must be a handler function or an object of handlers per kind');
  }
}

/** Checks that `pid` is a positive integer (pure). */
export function validatePidShape(pid: unknown): asserts pid is number {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) {
    throw invalidArgument(CriuError, 'pid', `${String(pid)} is not a positive integer`, 'pass the pid of the root of the tree to dump');
  }
}

/** Checks that process `pid` exists (reads /proc). */
export function requireProcess(pid: number): void {
  if (!existsSync(`/proc/${pid}`)) {
    throw new CriuError(`no process with pid ${pid}`, {
      code: 'ESRCH',
      field: 'pid',
      path: `/proc/${pid}`,
      hint: 'the process has exited or lives in another pid namespace; pass a pid as this process sees it',
    });
  }
}

/**
 * Creates the images (or work) dir when missing and proves it is writable by
 * creating and removing a probe file (access(2) says yes to root even on
 * read-only mounts' directories in some cases; a real create does not lie).
 */
export function requireWritableDir(dir: string, field: string): string {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw dirError(abs, field, e);
  }
  if (!statSync(abs).isDirectory()) {
    throw new CriuError(`${abs} is not a directory`, { code: 'ENOTDIR', field, path: abs, hint: `pass a directory as ${field}` });
  }
  const probe = join(abs, `.kc-criu-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    throw dirError(abs, field, e);
  }
  return abs;
}

/** Checks that `dir` holds images (an inventory.img) for restore. */
export function requireImagesDir(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(join(abs, 'inventory.img'))) {
    throw new CriuError(`${abs} holds no CRIU images (no inventory.img)`, {
      code: KcErrorCode.NotFound,
      field: 'imagesDir',
      path: abs,
      hint: 'pass the imagesDir of a successful dump',
    });
  }
  return abs;
}

function dirError(path: string, field: string, e: unknown): CriuError {
  const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
  return new CriuError(`${field} ${path} is not writable (${code})`, {
    code,
    errno: typeof (e as NodeJS.ErrnoException).errno === 'number' ? -((e as NodeJS.ErrnoException).errno as number) : undefined,
    field,
    path,
    hint: 'CRIU writes images and logs there: use a writable directory on a read-write filesystem',
    cause: e,
  });
}
