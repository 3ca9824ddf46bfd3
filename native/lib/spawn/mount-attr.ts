/**
 * Rules of mount_setattr(2)'s `attr_set`/`attr_clr` (Linux 5.12+), checked
 * before the kernel sees them. Pure.
 */
import { MOUNT_ATTR } from './constants.js';

/** The MOUNT_ATTR_* bits a `setattr` step may carry (IDMAP needs a user namespace fd: that is the `idmap` step). */
const VALID = MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC | MOUNT_ATTR._ATIME | MOUNT_ATTR.NODIRATIME | MOUNT_ATTR.NOSYMFOLLOW;

/** The atime modes the kernel accepts in `attr_set` (mount_setattr(2): an enum, not bits). */
const ATIME_MODES: readonly number[] = [MOUNT_ATTR.RELATIME, MOUNT_ATTR.NOATIME, MOUNT_ATTR.STRICTATIME];

/**
 * What is wrong with a pair of MOUNT_ATTR_* masks, or undefined when the
 * kernel would take them. The atime rule is mount_setattr(2)'s: a mode in
 * `set` needs the whole MOUNT_ATTR__ATIME in `clear`, and `clear` holds
 * either all of the atime bits or none.
 */
export function mountAttrProblem(set: number, clear: number): string | undefined {
  for (const [name, v] of [
    ['set', set],
    ['clear', clear],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) return `${name} must be a MOUNT_ATTR_* mask`;
    if ((v & ~VALID) >>> 0 !== 0) return `${name} has bits no setattr step takes (0x${((v & ~VALID) >>> 0).toString(16)})`;
  }
  const clearAtime = clear & MOUNT_ATTR._ATIME;
  if (clearAtime !== 0 && clearAtime !== MOUNT_ATTR._ATIME) return 'clear must hold all of MOUNT_ATTR__ATIME (0x70) or none of it';
  const mode = set & MOUNT_ATTR._ATIME;
  if (!ATIME_MODES.includes(mode)) return `set holds two atime modes (0x${mode.toString(16)}); give one`;
  if (mode !== 0 && clearAtime === 0) return 'an atime mode in set needs MOUNT_ATTR__ATIME (0x70) in clear';
  return undefined;
}
