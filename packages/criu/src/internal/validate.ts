import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { abortError, KcErrorCode, invalidArgument } from '@kc/native';
import { CriuError } from '../errors.js';
import type { CommonOptions } from '../options.js';

/** Checks the shape of the options every operation shares (pure). */
export function validateCommon(o: CommonOptions | undefined, op: string): void {
  if (o === null || typeof o !== 'object') throw invalidArgument(CriuError, op, 'options must be an object');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw invalidArgument(CriuError, 'signal', 'must be an AbortSignal');
  // Cancelled before it started: nothing is made (no images dir, no CRIU), as an aborted spawn.
  if (o.signal?.aborted) throw abortError(o.signal);
  if (typeof o.imagesDir !== 'string' || o.imagesDir.length === 0) {
    throw invalidArgument(CriuError, 'imagesDir', 'must be a non-empty path', 'pass the directory for the image files');
  }
  if (o.workDir !== undefined && (typeof o.workDir !== 'string' || o.workDir.length === 0)) {
    throw invalidArgument(CriuError, 'workDir', 'must be a non-empty path');
  }
  if (o.logFile !== undefined && (typeof o.logFile !== 'string' || o.logFile.length === 0 || o.logFile.includes('/'))) {
    throw invalidArgument(
      CriuError,
      'logFile',
      `${JSON.stringify(o.logFile)} must be a plain file name`,
      'CRIU writes the log inside the work dir; set workDir to move it',
    );
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

/** Checks a page server address: a non-empty `address` and a port 1..65535 (pure). */
export function validatePageServerAddress(ps: unknown, field: string): void {
  const o = ps as { address?: unknown; port?: unknown } | null;
  if (o === null || typeof o !== 'object') {
    throw invalidArgument(CriuError, field, 'must be { address, port }');
  }
  if (typeof o.address !== 'string' || o.address.length === 0) {
    throw invalidArgument(CriuError, `${field}.address`, 'must be a non-empty host name or IP address');
  }
  if (typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 1 || o.port > 65535) {
    throw invalidArgument(CriuError, `${field}.port`, `${String(o.port)} is not a port 1..65535`);
  }
}

/**
 * Checks the lazy-pages options of a dump (pure): a lazy dump serves its
 * pages itself, so it needs `pageServer` with the port to listen on (CRIU's
 * RPC cannot report a port it picked); a given `pageServer` must be well formed.
 */
export function validateLazyDump(o: { lazyPages?: boolean; pageServer?: unknown }): void {
  if (o.pageServer !== undefined) validatePageServerAddress(o.pageServer, 'pageServer');
  if (o.lazyPages && o.pageServer === undefined) {
    throw invalidArgument(
      CriuError,
      'pageServer',
      'lazyPages needs pageServer: the dump serves its memory on that port until the lazy-pages daemon fetched it',
      'pass pageServer: { address, port } (CRIU listens on the port on every address)',
    );
  }
}

/**
 * Checks the port of a page server that serves lazy pages (pure): CRIU's RPC
 * does not report a port it picked in that mode, so 0 is refused.
 */
export function validateLazyPageServerPort(port: unknown): void {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalidArgument(
      CriuError,
      'port',
      `${String(port)} is not a port 1..65535`,
      'a lazy page server needs an explicit port for the lazy-pages daemon to reach',
    );
  }
}

/** The socket a `criu lazy-pages` daemon listens on, in its work dir (criu/uffd.c LAZY_PAGES_SOCK_NAME). */
export const LAZY_PAGES_SOCKET = 'lazy-pages.socket';

/** Checks that a lazy-pages daemon's socket exists in `workDir`, before a lazy restore. */
export function requireLazyPagesSocket(workDir: string): void {
  const path = join(resolve(workDir), LAZY_PAGES_SOCKET);
  let isSocket = false;
  try {
    isSocket = statSync(path).isSocket();
  } catch {
    /* missing */
  }
  if (!isSocket) {
    throw new CriuError(`no lazy-pages daemon listens in ${resolve(workDir)} (no ${LAZY_PAGES_SOCKET})`, {
      code: KcErrorCode.NotFound,
      field: 'lazyPages',
      path,
      hint: 'start `await criu.lazyPages({ imagesDir })` first, with the same workDir as the restore',
    });
  }
}
