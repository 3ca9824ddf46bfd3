import { closeSync, openSync, readSync } from 'node:fs';
import { invalidArgument } from '@kc/native';
import { SeccompError } from '../errors.js';
import type { SeccompNotification } from './notification.js';

const PAGE = 4096;

/** Opens the target's memory, checking that the notification is still pending so the pid was not reused. */
function openMem(n: SeccompNotification): number {
  let fd: number;
  try {
    fd = openSync(`/proc/${n.pid}/mem`, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new SeccompError(`cannot open /proc/${n.pid}/mem: ${err.code}`, {
      code: err.code,
      syscall: 'open',
      path: `/proc/${n.pid}/mem`,
      hint: "reading another process's memory needs CAP_SYS_PTRACE or the same uid (ptrace access mode ATTACH)",
      cause: e,
    });
  }
  // seccomp_unotify(2): open /proc/PID/mem first, then check ID_VALID, so the open file is the target's.
  if (!n.isValid()) {
    closeSync(fd);
    throw stale(n);
  }
  return fd;
}

function stale(n: SeccompNotification): SeccompError {
  return new SeccompError(`notification ${n.id} of pid ${n.pid} is no longer pending`, {
    code: 'ENOENT',
    hint: 'the target was killed or its call was answered; what was read may belong to another process',
  });
}

/** Reads up to `length` bytes at `address`, page by page, stopping early at unmapped memory or when `stop` says so. */
function readChunks(fd: number, address: bigint, length: number, stop: (chunk: Buffer) => boolean): Buffer {
  const parts: Buffer[] = [];
  let got = 0;
  let at = address;
  while (got < length) {
    const toPage = PAGE - Number(at % BigInt(PAGE));
    const buf = Buffer.alloc(Math.min(toPage, length - got));
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EIO') break; // unmapped page
      throw e;
    }
    if (n <= 0) break;
    const chunk = buf.subarray(0, n);
    parts.push(chunk);
    got += n;
    at += BigInt(n);
    if (stop(chunk)) break;
  }
  return Buffer.concat(parts);
}

/**
 * Reads `length` bytes of the notified process's memory at `address`
 * through `/proc/PID/mem`, and checks with ID_VALID after reading that the
 * target still waits, so the bytes are the caller's. Another thread of the
 * target may still change them afterwards: use them to answer (deny, fake a
 * result, open a file on its behalf), never to {@link SeccompNotification.continue}.
 *
 * Privileges: ptrace access to the target (root, or CAP_SYS_PTRACE, or same uid without Yama restrictions).
 * @throws {@link SeccompError} `ENOENT` when the notification is no longer pending; the open's errno when /proc/PID/mem cannot be opened.
 */
export function readTargetMemory(n: SeccompNotification, address: bigint, length: number): Buffer {
  if (!Number.isInteger(length) || length < 0) throw invalidArgument(SeccompError, 'length', `${length} is not a byte count`);
  const fd = openMem(n);
  try {
    const data = readChunks(fd, address, length, () => false);
    if (!n.isValid()) throw stale(n);
    return data;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a NUL-terminated string (e.g. a path argument) of the notified
 * process at `address`, at most `maxLength` bytes (PATH_MAX by default), with
 * the same ID_VALID checks and TOCTOU caveat as {@link readTargetMemory}.
 *
 * Privileges: ptrace access to the target.
 * @throws {@link SeccompError} `ENOENT` when the notification is no longer pending; `ENAMETOOLONG` when no NUL is found within `maxLength`.
 * @example
 * ```ts
 * for await (const n of supervisor) if (n.syscall === 'mkdir') console.log(readTargetString(n, n.args[0]));
 * ```
 */
export function readTargetString(n: SeccompNotification, address: bigint, maxLength = 4096): string {
  if (!Number.isInteger(maxLength) || maxLength < 1) throw invalidArgument(SeccompError, 'maxLength', `${maxLength} is not a positive byte count`);
  const fd = openMem(n);
  try {
    const data = readChunks(fd, address, maxLength, (c) => c.includes(0));
    if (!n.isValid()) throw stale(n);
    const end = data.indexOf(0);
    if (end < 0)
      throw new SeccompError(`no NUL within ${maxLength} bytes at 0x${address.toString(16)} of pid ${n.pid}`, {
        code: 'ENAMETOOLONG',
        hint: 'raise maxLength, or the pointer does not point to a string',
      });
    return data.subarray(0, end).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
