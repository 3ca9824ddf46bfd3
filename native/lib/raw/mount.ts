import { loadAddon } from '../addon.js';

/** Raw functions of binding/mount.cc (the calling process's mount table). */
export interface RawMount {
  /** mount(2); null strings are passed as NULL. */
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  /** umount2(2). */
  umount2(target: string, flags: number): void;
  /** open_tree(2) (Linux 5.2+); returns an fd. */
  openTree(dfd: number, path: string, flags: number): number;
  /** move_mount(2) (Linux 5.2+). */
  moveMount(fromDfd: number, fromPath: string, toDfd: number, toPath: string, flags: number): void;
  /** mount_setattr(2) (Linux 5.12+); `usernsFd` -1 unless MOUNT_ATTR_IDMAP is set. */
  mountSetattr(dfd: number, path: string, flags: number, attrSet: number, attrClr: number, propagation: number, usernsFd: number): void;
}

/** The mount raw binding, loaded lazily. */
export function rawMount(): RawMount {
  return loadAddon<RawMount>();
}
