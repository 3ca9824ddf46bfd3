/**
 * mount(2) flag bits (linux/mount.h) and the parsing of OCI mount `options`
 * into flags, propagation and the filesystem data string, as mount(8) does.
 */
export const MS = {
  /** MS_RDONLY: mount read-only (`ro`). */
  RDONLY: 1,
  /** MS_NOSUID: ignore set-user-ID and set-group-ID bits and file capabilities (`nosuid`). */
  NOSUID: 2,
  /** MS_NODEV: forbid access to device nodes (`nodev`). */
  NODEV: 4,
  /** MS_NOEXEC: forbid executing programs (`noexec`). */
  NOEXEC: 8,
  /** MS_SYNCHRONOUS: make writes synchronous (`sync`). */
  SYNCHRONOUS: 16,
  /** MS_REMOUNT: change the flags of an existing mount (`remount`). */
  REMOUNT: 32,
  /** MS_MANDLOCK: allow mandatory locks, removed in Linux 5.15 (`mand`). */
  MANDLOCK: 64,
  /** MS_DIRSYNC: make directory changes synchronous (`dirsync`). */
  DIRSYNC: 128,
  /** MS_NOSYMFOLLOW: do not follow symlinks when resolving paths, Linux 5.10+ (`nosymfollow`). */
  NOSYMFOLLOW: 256,
  /** MS_NOATIME: do not update access times (`noatime`). */
  NOATIME: 1024,
  /** MS_NODIRATIME: do not update directory access times (`nodiratime`). */
  NODIRATIME: 2048,
  /** MS_BIND: bind mount (`bind`; with REC, `rbind`). */
  BIND: 4096,
  /** MS_MOVE: move an existing mount to a new place. */
  MOVE: 8192,
  /** MS_REC: apply BIND or a propagation change to the whole subtree (the `r` of `rbind`, `rprivate`...). */
  REC: 16384,
  /** MS_UNBINDABLE: private, and cannot be bind-mounted (`unbindable`). */
  UNBINDABLE: 1 << 17,
  /** MS_PRIVATE: receive and send no mount events (`private`). */
  PRIVATE: 1 << 18,
  /** MS_SLAVE: receive mount events from the peer group, send none (`slave`). */
  SLAVE: 1 << 19,
  /** MS_SHARED: share mount events with the peer group (`shared`). */
  SHARED: 1 << 20,
  /** MS_RELATIME: update access times only when older than modify/change time (`relatime`). */
  RELATIME: 1 << 21,
  /** MS_STRICTATIME: always update access times (`strictatime`). */
  STRICTATIME: 1 << 24,
} as const;

const SET: Record<string, number> = {
  ro: MS.RDONLY,
  nosuid: MS.NOSUID,
  nodev: MS.NODEV,
  noexec: MS.NOEXEC,
  sync: MS.SYNCHRONOUS,
  dirsync: MS.DIRSYNC,
  mand: MS.MANDLOCK,
  noatime: MS.NOATIME,
  nodiratime: MS.NODIRATIME,
  bind: MS.BIND,
  rbind: MS.BIND | MS.REC,
  relatime: MS.RELATIME,
  strictatime: MS.STRICTATIME,
  nosymfollow: MS.NOSYMFOLLOW,
  remount: MS.REMOUNT,
};
const CLEAR: Record<string, number> = {
  rw: MS.RDONLY,
  suid: MS.NOSUID,
  dev: MS.NODEV,
  exec: MS.NOEXEC,
  async: MS.SYNCHRONOUS,
  nomand: MS.MANDLOCK,
  atime: MS.NOATIME,
  diratime: MS.NODIRATIME,
  norelatime: MS.RELATIME,
  nostrictatime: MS.STRICTATIME,
  defaults: 0,
};
const PROPAGATION: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

/** The result of {@link parseMountOptions}. */
export interface ParsedMountOptions {
  /** MS_* flags for mount(2). */
  flags: number;
  /** Propagation flags to apply after mounting, or 0. */
  propagation: number;
  /** Comma-joined filesystem-specific options (`mode=755,size=65536k`). */
  data: string;
}

/** Splits OCI mount options into mount(2) flags, propagation and data, like mount(8). Pure. */
export function parseMountOptions(options: readonly string[] | undefined): ParsedMountOptions {
  let flags = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const o of options ?? []) {
    if (SET[o] !== undefined) flags |= SET[o];
    else if (CLEAR[o] !== undefined) flags &= ~CLEAR[o];
    else if (PROPAGATION[o] !== undefined) propagation |= PROPAGATION[o];
    else if (o === 'tmpcopyup' || o === 'idmap' || o === 'ridmap' || o === 'copy-symlink') continue;
    else data.push(o);
  }
  return { flags, propagation, data: data.join(',') };
}

/** The propagation flags of a `linux.rootfsPropagation` value (default rprivate). */
export function rootfsPropagationFlags(value: string | undefined): number {
  return PROPAGATION[value ?? 'rprivate'] ?? MS.PRIVATE | MS.REC;
}
