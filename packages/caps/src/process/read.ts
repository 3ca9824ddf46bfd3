import { readFileSync } from 'node:fs';
import { invalidArgument, rawCaps, translateNative } from '@kc/native';
import { CapSet } from '../cap-set.js';
import type { CapTriple } from '../capabilities.js';
import { CapsError } from '../errors.js';
import { parseProcStatus } from './status.js';
import type { ProcessCapabilityStatus } from './status.js';

/** A process id, or `'self'` for the calling process. */
export type Pid = number | 'self';

function checkPid(pid: Pid): string {
  if (pid === 'self') return 'self';
  if (!Number.isInteger(pid) || pid <= 0) throw invalidArgument(CapsError, 'pid', `${pid} is not a process id`);
  return String(pid);
}

function readProcFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CapsError(`cannot read ${path}: ${err.message}`, {
      code: err.code,
      errno: typeof err.errno === 'number' ? -err.errno : undefined,
      syscall: 'open',
      path,
      hint: err.code === 'ENOENT' ? 'the process does not exist (or /proc is not mounted)' : undefined,
      cause: e,
    });
  }
}

/**
 * The running kernel's highest capability number, from
 * `/proc/sys/kernel/cap_last_cap` (40 on Linux 5.9 and later).
 *
 * @throws {@link CapsError} when the file cannot be read (no /proc).
 */
export function readCapLastCap(): number {
  return Number(readProcFile('/proc/sys/kernel/cap_last_cap').trim());
}

/**
 * A process's five capability sets, no_new_privs and seccomp mode, from
 * `/proc/PID/status` (what `getpcaps` and `capsh --print` report). Readable
 * for any process without privilege. The sets are those of the process's
 * main thread; use `/proc/PID/task/TID/status` for other threads.
 *
 * @example
 * ```ts
 * const { capabilities, noNewPrivs } = readProcessStatus(1);
 * console.log(capabilities.bounding.size, noNewPrivs);
 * ```
 * @throws {@link CapsError} with code `ENOENT` when the process does not exist.
 */
export function readProcessStatus(pid: Pid = 'self'): ProcessCapabilityStatus {
  return parseProcStatus(readProcFile(`/proc/${checkPid(pid)}/status`));
}

/**
 * The effective, permitted and inheritable sets of a process from
 * `capget(2)` (bounding and ambient are not part of that call; see
 * {@link readProcessStatus}). `pid` 0 or `'self'` is the calling thread.
 *
 * @throws {@link CapsError} with code `ESRCH` when the process does not exist.
 */
export function capget(pid: Pid = 'self'): CapTriple {
  const n = pid === 'self' ? 0 : pid;
  if (!Number.isInteger(n) || n < 0) throw invalidArgument(CapsError, 'pid', `${pid} is not a process id`);
  const sets = translateNative(CapsError, () => rawCaps().capsCapget(n));
  return {
    effective: CapSet.fromMask(sets.effective),
    permitted: CapSet.fromMask(sets.permitted),
    inheritable: CapSet.fromMask(sets.inheritable),
  };
}

/**
 * The securebits of the calling thread (`prctl(PR_GET_SECUREBITS)`). The
 * kernel offers no way to read another process's securebits: neither /proc
 * nor any syscall shows them, so there is no pid parameter. A spawned child
 * gets the bits asked in its spec ({@link toSpawnCapabilities}).
 *
 * @throws {@link CapsError} when the addon cannot be loaded.
 */
export function readSecurebits(): number {
  return translateNative(CapsError, () => rawCaps().capsGetSecurebits());
}

/**
 * Whether no_new_privs is set: from `NoNewPrivs:` of `/proc/PID/status` for a
 * pid, from `prctl(PR_GET_NO_NEW_PRIVS)` of the calling thread for `'self'`.
 *
 * @throws {@link CapsError} when the process does not exist or the kernel predates NoNewPrivs in /proc (4.10).
 */
export function readNoNewPrivs(pid: Pid = 'self'): boolean {
  if (pid === 'self') return translateNative(CapsError, () => rawCaps().capsGetNoNewPrivs());
  const status = readProcessStatus(pid);
  if (status.noNewPrivs === undefined) {
    throw new CapsError(`/proc/${pid}/status has no NoNewPrivs line`, { code: 'UNSUPPORTED', hint: 'needs Linux 4.10+' });
  }
  return status.noNewPrivs;
}
