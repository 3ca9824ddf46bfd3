import { invalidArgument } from '@kc/native';
import { CgroupError } from '../errors.js';

/**
 * Checks one cgroup name: non-empty, no `/`, not `.` or `..`, no NUL or
 * newline, at most 255 bytes. (A name equal to an interface file such as
 * `cgroup.procs` is refused by mkdir with EEXIST.)
 *
 * @throws {@link CgroupError} `INVALID_ARGUMENT` before any write.
 */
export function validateCgroupName(name: string, field = 'name'): void {
  if (typeof name !== 'string' || name.length === 0) throw invalidArgument(CgroupError, field, 'must be a non-empty string');
  if (name.includes('/')) throw invalidArgument(CgroupError, field, `"${name}" contains "/"`, 'give one name, or a path to Cgroup.create');
  if (name === '.' || name === '..') throw invalidArgument(CgroupError, field, `"${name}" would leave the cgroup`);
  if (/[\0\n]/.test(name)) throw invalidArgument(CgroupError, field, 'contains NUL or newline');
  if (Buffer.byteLength(name) > 255) throw invalidArgument(CgroupError, field, 'is longer than 255 bytes');
}

/**
 * Normalises a cgroup path (`a/b`, `/a/b/`) to `/a/b`, validating each part.
 * `/` is the hierarchy root.
 *
 * @throws {@link CgroupError} `INVALID_ARGUMENT` for `..`, `.`, empty parts or bad names.
 */
export function normaliseCgroupPath(path: string, field = 'path'): string {
  if (typeof path !== 'string') throw invalidArgument(CgroupError, field, 'must be a string');
  const parts = path.split('/').filter((p, i, all) => !(p === '' && (i === 0 || i === all.length - 1)));
  if (parts.length === 1 && parts[0] === '') return '/';
  for (const [i, p] of parts.entries()) validateCgroupName(p, `${field}[${i}]`);
  return `/${parts.join('/')}`;
}

/** The parent path of a normalised path (`/a/b` → `/a`, `/a` → `/`). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Joins a normalised path and a validated name. */
export function joinPath(path: string, name: string): string {
  return path === '/' ? `/${name}` : `${path}/${name}`;
}
