/**
 * mount(2) flags (MS_*) from <linux/mount.h>, for `flags` and `propagation`
 * of mount steps and for {@link mountNow}.
 *
 * @example
 * ```ts
 * const ro = MS.BIND | MS.REMOUNT | MS.RDONLY;
 * ```
 */
export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  SYNCHRONOUS: 0x10,
  REMOUNT: 0x20,
  MANDLOCK: 0x40,
  DIRSYNC: 0x80,
  NOSYMFOLLOW: 0x100,
  NOATIME: 0x400,
  NODIRATIME: 0x800,
  BIND: 0x1000,
  MOVE: 0x2000,
  REC: 0x4000,
  SILENT: 0x8000,
  POSIXACL: 0x10000,
  UNBINDABLE: 0x20000,
  PRIVATE: 0x40000,
  SLAVE: 0x80000,
  SHARED: 0x100000,
  RELATIME: 0x200000,
  KERNMOUNT: 0x400000,
  I_VERSION: 0x800000,
  STRICTATIME: 0x1000000,
  LAZYTIME: 0x2000000,
} as const;

/** The propagation bits: exactly one may be given to a propagation change, optionally with MS.REC. */
export const MS_PROPAGATION_MASK = MS.SHARED | MS.SLAVE | MS.PRIVATE | MS.UNBINDABLE;

/** umount2(2) flags. */
export const MNT = {
  /** Force unmount (network filesystems). */
  FORCE: 0x1,
  /** Lazy unmount: detach now, clean up when no longer busy. */
  DETACH: 0x2,
  /** Mark for expiry. */
  EXPIRE: 0x4,
  /** Do not follow a symlink at the target. */
  NOFOLLOW: 0x8,
} as const;

/** MOUNT_ATTR_* of mount_setattr(2) (Linux 5.12+). */
export const MOUNT_ATTR = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  RELATIME: 0x0,
  NOATIME: 0x10,
  STRICTATIME: 0x20,
  NODIRATIME: 0x80,
  IDMAP: 0x100000,
  NOSYMFOLLOW: 0x200000,
} as const;

/** Flags of open_tree(2), move_mount(2) and mount_setattr(2) used by kc. */
export const MOUNT_API = {
  OPEN_TREE_CLONE: 1,
  OPEN_TREE_CLOEXEC: 0o2000000,
  AT_RECURSIVE: 0x8000,
  AT_EMPTY_PATH: 0x1000,
  AT_SYMLINK_NOFOLLOW: 0x100,
  MOVE_MOUNT_F_EMPTY_PATH: 0x4,
  AT_FDCWD: -100,
} as const;

/**
 * Parses mount option words (`'ro,nosuid,nodev'`, as in mount(8) and OCI
 * `options`) into MS_* flags, propagation and the remaining data string.
 *
 * @example
 * ```ts
 * parseMountOptions(['ro', 'nosuid', 'mode=755']); // { flags: MS.RDONLY|MS.NOSUID, propagation: 0, data: 'mode=755' }
 * ```
 */
export function parseMountOptions(options: readonly string[]): { flags: number; clear: number; propagation: number; data: string } {
  let flags = 0;
  let clear = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const o of options) {
    const set = OPTION_FLAGS[o];
    const unset = OPTION_CLEARS[o];
    const prop = OPTION_PROPAGATION[o];
    if (set !== undefined) flags |= set;
    else if (unset !== undefined) {
      clear |= unset;
      flags &= ~unset;
    } else if (prop !== undefined) propagation = prop;
    else data.push(o);
  }
  return { flags: flags >>> 0, clear: clear >>> 0, propagation, data: data.join(',') };
}

const OPTION_FLAGS: Record<string, number> = {
  ro: MS.RDONLY, nosuid: MS.NOSUID, nodev: MS.NODEV, noexec: MS.NOEXEC, sync: MS.SYNCHRONOUS, remount: MS.REMOUNT,
  dirsync: MS.DIRSYNC, noatime: MS.NOATIME, nodiratime: MS.NODIRATIME, bind: MS.BIND, rbind: MS.BIND | MS.REC,
  relatime: MS.RELATIME, strictatime: MS.STRICTATIME, lazytime: MS.LAZYTIME, nosymfollow: MS.NOSYMFOLLOW,
  silent: MS.SILENT,
};
const OPTION_CLEARS: Record<string, number> = {
  rw: MS.RDONLY, suid: MS.NOSUID, dev: MS.NODEV, exec: MS.NOEXEC, async: MS.SYNCHRONOUS, atime: MS.NOATIME,
  diratime: MS.NODIRATIME, norelatime: MS.RELATIME, nostrictatime: MS.STRICTATIME, nolazytime: MS.LAZYTIME,
  symfollow: MS.NOSYMFOLLOW, loud: MS.SILENT, defaults: 0,
};
const OPTION_PROPAGATION: Record<string, number> = {
  private: MS.PRIVATE, rprivate: MS.PRIVATE | MS.REC, shared: MS.SHARED, rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE, rslave: MS.SLAVE | MS.REC, unbindable: MS.UNBINDABLE, runbindable: MS.UNBINDABLE | MS.REC,
};
