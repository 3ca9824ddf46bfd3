/**
 * mount(2) flag bits (linux/mount.h) and the parsing of OCI mount `options`
 * into flags, propagation and the filesystem data string, as mount(8) does.
 */
export const MS = {
  RDONLY: 1, NOSUID: 2, NODEV: 4, NOEXEC: 8, SYNCHRONOUS: 16, REMOUNT: 32, MANDLOCK: 64, DIRSYNC: 128,
  NOSYMFOLLOW: 256, NOATIME: 1024, NODIRATIME: 2048, BIND: 4096, MOVE: 8192, REC: 16384,
  UNBINDABLE: 1 << 17, PRIVATE: 1 << 18, SLAVE: 1 << 19, SHARED: 1 << 20, RELATIME: 1 << 21, STRICTATIME: 1 << 24,
} as const;

const SET: Record<string, number> = {
  ro: MS.RDONLY, nosuid: MS.NOSUID, nodev: MS.NODEV, noexec: MS.NOEXEC, sync: MS.SYNCHRONOUS,
  dirsync: MS.DIRSYNC, mand: MS.MANDLOCK, noatime: MS.NOATIME, nodiratime: MS.NODIRATIME,
  bind: MS.BIND, rbind: MS.BIND | MS.REC, relatime: MS.RELATIME, strictatime: MS.STRICTATIME,
  nosymfollow: MS.NOSYMFOLLOW, remount: MS.REMOUNT,
};
const CLEAR: Record<string, number> = {
  rw: MS.RDONLY, suid: MS.NOSUID, dev: MS.NODEV, exec: MS.NOEXEC, async: MS.SYNCHRONOUS,
  nomand: MS.MANDLOCK, atime: MS.NOATIME, diratime: MS.NODIRATIME, norelatime: MS.RELATIME,
  nostrictatime: MS.STRICTATIME, defaults: 0,
};
const PROPAGATION: Record<string, number> = {
  private: MS.PRIVATE, rprivate: MS.PRIVATE | MS.REC, shared: MS.SHARED, rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE, rslave: MS.SLAVE | MS.REC, unbindable: MS.UNBINDABLE, runbindable: MS.UNBINDABLE | MS.REC,
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
