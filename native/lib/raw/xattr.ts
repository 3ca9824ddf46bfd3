import { loadAddon } from '../addon.js';

/** Raw functions of binding/xattr.cc (xattr(7) by path). */
export interface RawXattr {
  /** getxattr(2) (lgetxattr with `nofollow`); `null` when the attribute is absent (ENODATA). */
  xattrGet(path: string, name: string, nofollow?: boolean): Buffer | null;
  /** setxattr(2) (lsetxattr with `nofollow`); `flags` is 0, XATTR_CREATE (1) or XATTR_REPLACE (2). */
  xattrSet(path: string, name: string, value: Buffer, flags: number, nofollow?: boolean): void;
  /** removexattr(2) (lremovexattr with `nofollow`). */
  xattrRemove(path: string, name: string, nofollow?: boolean): void;
}

/** The xattr raw binding, loaded lazily. */
export function rawXattr(): RawXattr {
  return loadAddon<RawXattr>();
}
