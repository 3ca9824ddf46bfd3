// MS_* is `@kc/native`'s table (the SDK's one), re-exported so mount code needs one import.
import { MS } from '@kc/native';

export { MS };

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
  /** MOUNT_ATTR_RDONLY: read-only mount. */
  RDONLY: 0x1,
  /** MOUNT_ATTR_NOSUID: ignore setuid/setgid bits and file capabilities. */
  NOSUID: 0x2,
  /** MOUNT_ATTR_NODEV: disallow device nodes. */
  NODEV: 0x4,
  /** MOUNT_ATTR_NOEXEC: disallow execve. */
  NOEXEC: 0x8,
  /** MOUNT_ATTR_RELATIME (0): relative atime; an atime mode, set with MOUNT_ATTR__ATIME in attr_clr. */
  RELATIME: 0x0,
  /** MOUNT_ATTR_NOATIME: never update access times (an atime mode). */
  NOATIME: 0x10,
  /** MOUNT_ATTR_STRICTATIME: always update access times (an atime mode). */
  STRICTATIME: 0x20,
  /** MOUNT_ATTR__ATIME: the bits of the atime mode, an enum inside the mask; setting a mode needs all of them in `attr_clr`. */
  _ATIME: 0x70,
  /** MOUNT_ATTR_NODIRATIME: do not update directory access times. */
  NODIRATIME: 0x80,
  /** MOUNT_ATTR_IDMAP: idmap the mount through the user namespace given in `userns_fd` (a detached mount only). */
  IDMAP: 0x100000,
  /** MOUNT_ATTR_NOSYMFOLLOW: do not follow symlinks on this mount (Linux 5.14+). */
  NOSYMFOLLOW: 0x200000,
} as const;

/** Flags of open_tree(2), move_mount(2) and mount_setattr(2) used by kc. */
export const MOUNT_API = {
  /** open_tree(2): return a detached copy of the mount (tree) instead of an O_PATH fd of it. */
  OPEN_TREE_CLONE: 1,
  /** open_tree(2): set close-on-exec on the returned fd (= O_CLOEXEC). */
  OPEN_TREE_CLOEXEC: 0o2000000,
  /** open_tree(2)/mount_setattr(2): apply to the whole subtree. */
  AT_RECURSIVE: 0x8000,
  /** Operate on the fd itself when the path is `""`. */
  AT_EMPTY_PATH: 0x1000,
  /** Do not follow a symlink in the last path component. */
  AT_SYMLINK_NOFOLLOW: 0x100,
  /** move_mount(2): the source is the fd itself (`from_path` is `""`). */
  MOVE_MOUNT_F_EMPTY_PATH: 0x4,
  /** The "current working directory" pseudo-fd for *at() calls. */
  AT_FDCWD: -100,
} as const;

/**
 * Parses mount option words (`'ro,nosuid,nodev'`, as in mount(8) and OCI
 * `options`) into MS_* flags, propagation, the recursive mount attributes of
 * runtime-spec 1.1 and the remaining data string.
 *
 * The recursive words (`rro`, `rrw`, `rnosuid`, `rsuid`, `rnodev`, `rdev`,
 * `rnoexec`, `rexec`, `rnoatime`, `ratime`, `rrelatime`, `rnorelatime`,
 * `rstrictatime`, `rnostrictatime`, `rnodiratime`, `rdiratime`,
 * `rnosymfollow`, `rsymfollow`) become MOUNT_ATTR_* bits for
 * mount_setattr(2) with AT_RECURSIVE, the way runc reads them: a later word
 * undoes an earlier opposite one, and any atime word puts the whole
 * MOUNT_ATTR__ATIME in `attrClear` (the kernel's rule for changing the atime
 * mode), so `ratime` and `rnorelatime` leave relatime. Plain `ro` stays
 * MS_RDONLY: it makes only the top mount read-only.
 *
 * @example
 * ```ts
 * parseMountOptions(['ro', 'nosuid', 'mode=755']); // { flags: MS.RDONLY|MS.NOSUID, propagation: 0, data: 'mode=755', attrSet: 0, ... }
 * parseMountOptions(['rbind', 'rro']).attrSet; // MOUNT_ATTR.RDONLY
 * ```
 */
export function parseMountOptions(options: readonly string[]): {
  /** MS_* bits the words set (`ro` → MS.RDONLY, `rbind` → MS.BIND | MS.REC). */
  flags: number;
  /** MS_* bits the words explicitly cleared (`rw`, `suid`, `dev`, `exec`, `atime`...), for a remount to drop. */
  clear: number;
  /** The last propagation word as MS_* bits (`rprivate` → MS.PRIVATE | MS.REC); 0 when none. */
  propagation: number;
  /** Every other word, joined with `,`, for mount(2)'s filesystem-specific `data` (`mode=755,size=64k`). */
  data: string;
  /** MOUNT_ATTR_* bits the recursive words set on the whole subtree (`rro` → MOUNT_ATTR.RDONLY); 0 when none. */
  attrSet: number;
  /** MOUNT_ATTR_* bits the recursive words clear on the whole subtree (`rrw` → MOUNT_ATTR.RDONLY, any atime word → MOUNT_ATTR._ATIME); 0 when none. */
  attrClear: number;
} {
  let flags = 0;
  let clear = 0;
  let propagation = 0;
  let attrSet = 0;
  let attrClear = 0;
  const data: string[] = [];
  for (const o of options) {
    const set = OPTION_FLAGS[o];
    const unset = OPTION_CLEARS[o];
    const prop = OPTION_PROPAGATION[o];
    const attr = RECURSIVE_ATTRS[o];
    if (set !== undefined) flags |= set;
    else if (unset !== undefined) {
      clear |= unset;
      flags &= ~unset;
    } else if (prop !== undefined) propagation = prop;
    else if (attr !== undefined) {
      const isAtime = (attr.bit & MOUNT_ATTR._ATIME) === attr.bit; // RELATIME is 0, so it counts
      if (attr.clear) {
        attrClear |= attr.bit;
        attrSet &= ~attr.bit;
      } else {
        // The atime mode is one value: a later mode replaces an earlier one (two would be EINVAL).
        if (isAtime) attrSet &= ~MOUNT_ATTR._ATIME;
        attrSet |= attr.bit;
        attrClear &= ~attr.bit;
      }
      if (isAtime) attrClear |= MOUNT_ATTR._ATIME;
    } else data.push(o);
  }
  return { flags: flags >>> 0, clear: clear >>> 0, propagation, data: data.join(','), attrSet: attrSet >>> 0, attrClear: attrClear >>> 0 };
}

/** runtime-spec 1.1 recursive options (config.md "Mounts"): the MOUNT_ATTR_* bit each sets, or clears. */
const RECURSIVE_ATTRS: Record<string, { bit: number; clear: boolean }> = {
  rro: { bit: MOUNT_ATTR.RDONLY, clear: false },
  rrw: { bit: MOUNT_ATTR.RDONLY, clear: true },
  rnosuid: { bit: MOUNT_ATTR.NOSUID, clear: false },
  rsuid: { bit: MOUNT_ATTR.NOSUID, clear: true },
  rnodev: { bit: MOUNT_ATTR.NODEV, clear: false },
  rdev: { bit: MOUNT_ATTR.NODEV, clear: true },
  rnoexec: { bit: MOUNT_ATTR.NOEXEC, clear: false },
  rexec: { bit: MOUNT_ATTR.NOEXEC, clear: true },
  rnodiratime: { bit: MOUNT_ATTR.NODIRATIME, clear: false },
  rdiratime: { bit: MOUNT_ATTR.NODIRATIME, clear: true },
  rrelatime: { bit: MOUNT_ATTR.RELATIME, clear: false },
  rnorelatime: { bit: MOUNT_ATTR.RELATIME, clear: true },
  rnoatime: { bit: MOUNT_ATTR.NOATIME, clear: false },
  ratime: { bit: MOUNT_ATTR.NOATIME, clear: true },
  rstrictatime: { bit: MOUNT_ATTR.STRICTATIME, clear: false },
  rnostrictatime: { bit: MOUNT_ATTR.STRICTATIME, clear: true },
  rnosymfollow: { bit: MOUNT_ATTR.NOSYMFOLLOW, clear: false },
  rsymfollow: { bit: MOUNT_ATTR.NOSYMFOLLOW, clear: true },
};

const OPTION_FLAGS: Record<string, number> = {
  ro: MS.RDONLY,
  nosuid: MS.NOSUID,
  nodev: MS.NODEV,
  noexec: MS.NOEXEC,
  sync: MS.SYNCHRONOUS,
  remount: MS.REMOUNT,
  dirsync: MS.DIRSYNC,
  noatime: MS.NOATIME,
  nodiratime: MS.NODIRATIME,
  bind: MS.BIND,
  rbind: MS.BIND | MS.REC,
  relatime: MS.RELATIME,
  strictatime: MS.STRICTATIME,
  lazytime: MS.LAZYTIME,
  nosymfollow: MS.NOSYMFOLLOW,
  silent: MS.SILENT,
};
const OPTION_CLEARS: Record<string, number> = {
  rw: MS.RDONLY,
  suid: MS.NOSUID,
  dev: MS.NODEV,
  exec: MS.NOEXEC,
  async: MS.SYNCHRONOUS,
  atime: MS.NOATIME,
  diratime: MS.NODIRATIME,
  norelatime: MS.RELATIME,
  nostrictatime: MS.STRICTATIME,
  nolazytime: MS.LAZYTIME,
  symfollow: MS.NOSYMFOLLOW,
  loud: MS.SILENT,
  defaults: 0,
};
const OPTION_PROPAGATION: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};
