/**
 * runc's systemd form of `linux.cgroupsPath`, `slice:prefix:name`
 * (runc's libcontainer/cgroups/systemd: a transient scope `<prefix>-<name>.scope`
 * in `slice`), parsed and checked against systemd's unit-name rules
 * (systemd.unit(5) "unit names"; src/basic/unit-name.c) so that a name systemd
 * would refuse is rejected before anything is created. Pure.
 */
import { invalidArgument } from '@kc/native';
import { CgroupError } from '../errors.js';

/** A parsed `slice:prefix:name` path. */
export interface SystemdScopePath {
  /** The slice unit the scope goes in, e.g. `system.slice` (the default when the first part is empty). */
  readonly slice: string;
  /** The unit's prefix, e.g. `kc`. */
  readonly prefix: string;
  /** The unit's name part, e.g. the container id. */
  readonly name: string;
  /** The scope unit: `<prefix>-<name>.scope` (`<name>.scope` when the prefix is empty). */
  readonly unit: string;
  /** The scope's cgroup path below the v2 mount, e.g. `/system.slice/kc-demo.scope`. */
  readonly cgroupPath: string;
}

/** Longest unit name systemd takes (UNIT_NAME_MAX 256, with the NUL). */
const UNIT_NAME_MAX = 255;
/** Characters systemd allows in a unit name (unit-name.c VALID_CHARS: alphanumerics and `:-_.\`). */
const VALID = /^[A-Za-z0-9:_.\\-]+$/;

/** True when `path` has runc's systemd form (three `:`-separated parts, no `/`). */
export function isSystemdCgroupPath(path: string): boolean {
  return typeof path === 'string' && !path.includes('/') && path.split(':').length === 3;
}

function checkUnitName(unit: string, field: string): void {
  if (Buffer.byteLength(unit) > UNIT_NAME_MAX) throw invalidArgument(CgroupError, field, `unit name "${unit}" is longer than ${UNIT_NAME_MAX} bytes`);
  if (!VALID.test(unit))
    throw invalidArgument(CgroupError, field, `"${unit}" has characters systemd refuses in a unit name`, 'use letters, digits and : - _ . \\');
}

/**
 * The cgroup path of a slice: systemd nests slices by their dashes,
 * `a-b.slice` lives at `/a.slice/a-b.slice` (systemd.slice(5)); `-.slice` is
 * the root. runc's ExpandSlice.
 *
 * @throws {@link CgroupError} `INVALID_ARGUMENT` for a name systemd would refuse (`a--b.slice`, `-a.slice`, no `.slice`).
 */
export function expandSlice(slice: string, field = 'slice'): string {
  if (!slice.endsWith('.slice') || slice === '.slice')
    throw invalidArgument(CgroupError, field, `"${slice}" is not a slice name`, 'end it with .slice, e.g. system.slice');
  checkUnitName(slice, field);
  const base = slice.slice(0, -'.slice'.length);
  if (base === '-') return '/';
  let path = '';
  let prefix = '';
  for (const part of base.split('-')) {
    if (part === '')
      throw invalidArgument(CgroupError, field, `"${slice}" has an empty component between dashes`, 'systemd refuses a--b.slice, -a.slice and a-.slice');
    path += `/${prefix}${part}.slice`;
    prefix += `${part}-`;
  }
  return path;
}

/**
 * Parses `slice:prefix:name` (e.g. `system.slice:kc:demo`) as runc does: the
 * scope unit is `<prefix>-<name>.scope` in `slice` (default `system.slice`).
 * A name ending in `.slice` (runc then makes a slice unit) is refused: kc
 * makes scopes only.
 *
 * @throws {@link CgroupError} `INVALID_ARGUMENT` for a malformed path or a unit name systemd would refuse.
 * @example
 * ```ts
 * parseSystemdCgroupPath('system.slice:kc:demo').cgroupPath; // '/system.slice/kc-demo.scope'
 * ```
 */
export function parseSystemdCgroupPath(path: string, field = 'path'): SystemdScopePath {
  if (typeof path !== 'string') throw invalidArgument(CgroupError, field, 'must be a string');
  const parts = path.split(':');
  if (parts.length !== 3 || path.includes('/'))
    throw invalidArgument(CgroupError, field, `"${path}" is not in the form slice:prefix:name`, 'e.g. system.slice:kc:<id>');
  const [rawSlice = '', prefix = '', name = ''] = parts;
  if (name === '') throw invalidArgument(CgroupError, `${field}.name`, `"${path}" has an empty name`);
  if (name.endsWith('.slice'))
    throw invalidArgument(CgroupError, `${field}.name`, `"${name}" names a slice; kc creates scope units`, 'give a container id as the name');
  const slice = rawSlice === '' ? 'system.slice' : rawSlice;
  const sliceDir = expandSlice(slice, `${field}.slice`);
  const unit = prefix === '' ? `${name}.scope` : `${prefix}-${name}.scope`;
  checkUnitName(unit, `${field}.name`);
  return { slice, prefix, name, unit, cgroupPath: `${sliceDir === '/' ? '' : sliceDir}/${unit}` };
}
