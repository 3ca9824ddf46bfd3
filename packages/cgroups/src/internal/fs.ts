import { mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { errnoName } from '@kc/native';
import { CgroupError } from '../errors.js';

const HINTS: Record<string, string> = {
  EACCES: 'run as root or on a delegated subtree (see checkDelegation)',
  EPERM: 'run as root or on a delegated subtree (see checkDelegation)',
  EBUSY: 'the cgroup still has processes or children, or a controller is in use below it',
  ENOENT: 'the cgroup or the controller file does not exist (is the controller enabled?)',
  EINVAL: 'the kernel rejected the value (e.g. above the parent limit or below current usage)',
  EOPNOTSUPP: 'the kernel does not support this operation on this cgroup',
};

/** Wraps a Node fs error into a {@link CgroupError} carrying errno, syscall and path. */
export function fsError(e: unknown, syscall: string, path: string, what: string): CgroupError {
  const ne = e as NodeJS.ErrnoException;
  const errno = typeof ne.errno === 'number' ? Math.abs(ne.errno) : undefined;
  const code = ne.code ?? (errno !== undefined ? errnoName(errno) : 'EUNKNOWN');
  // A permission error is what an unprivileged caller meets first: say what would make it work, not a bare errno.
  const needs = code === 'EACCES' || code === 'EPERM' ? ' — needs root (or a delegated cgroup)' : '';
  return new CgroupError(`${what}: ${code} (${path})${needs}`, {
    errno,
    code,
    syscall,
    path,
    hint: HINTS[code],
    cause: e,
  });
}

/** Reads a cgroup file. @throws {@link CgroupError} */
export function readCgroupFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw fsError(e, 'read', path, 'reading a cgroup file failed');
  }
}

/** Reads a cgroup file, or undefined when it does not exist or cannot be read. */
export function readCgroupFileIfAny(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Writes a value to a cgroup file in one write(2), as the kernel parses each
 * write separately (cgroup-v2.rst "Conventions"). @throws {@link CgroupError}
 */
export function writeCgroupFile(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch (e) {
    throw fsError(e, 'write', path, `writing "${value}" failed`);
  }
}

/** mkdir(2) of one cgroup directory; returns false when it already existed. */
export function makeCgroupDir(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (e) {
    // EEXIST on a directory is an existing cgroup; on a file, the name collides with an interface file.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(path).isDirectory()) return false;
    throw fsError(e, 'mkdir', path, 'creating a cgroup failed');
  }
}

/** rmdir(2) of one cgroup directory (only empty cgroups can go); missing is fine. */
export function removeCgroupDir(path: string): void {
  try {
    rmdirSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw fsError(e, 'rmdir', path, 'removing a cgroup failed');
  }
}

/** The names of child cgroups (subdirectories) of a cgroup directory. */
export function childNames(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fsError(e, 'readdir', path, 'listing a cgroup failed');
  }
}

/** Files of a cgroup directory (no subdirectories). */
export function fileNames(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((d) => !d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/** Parses a `cgroup.procs` / `tasks` file into pids. */
export function parsePids(text: string | undefined): number[] {
  if (!text) return [];
  return text.split('\n').filter(Boolean).map(Number);
}

/** Resolves after `ms` milliseconds (used only to re-check state the kernel gives no event for). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
