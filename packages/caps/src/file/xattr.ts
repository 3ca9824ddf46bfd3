import { lstatSync } from 'node:fs';
import { KcErrorCode, fromNative, invalidArgument, isRawNativeError, rawXattr, translateNative } from '@kc/native';
import { CapsError } from '../errors.js';
import { FILE_CAPS_XATTR, decodeFileCaps, encodeFileCaps } from './format.js';
import type { DecodedFileCapabilities, FileCapabilitiesInit } from './format.js';
import { fileCapsFromText } from './text.js';

function checkPath(path: string): void {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw invalidArgument(CapsError, 'path', 'expected a non-empty path without NUL bytes');
  }
}

/**
 * Reads a file's capabilities (`getxattr(path, "security.capability")`),
 * what `getcap` shows; `null` when the file has none. Version 3 attributes
 * come back as version 2 when their rootid is root of the caller's user
 * namespace (the kernel translates them).
 *
 * @example
 * ```ts
 * const caps = readFileCaps('/usr/bin/ping');
 * if (caps) console.log(fileCapsToText(caps));
 * ```
 * @throws {@link CapsError} with an errno code (`ENOENT`, `EACCES`) when the file cannot be read, or INVALID_ARGUMENT for a malformed attribute.
 */
export function readFileCaps(path: string): DecodedFileCapabilities | null {
  checkPath(path);
  const value = translateNative(CapsError, () => rawXattr().xattrGet(path, FILE_CAPS_XATTR, false), { path });
  return value === null ? null : decodeFileCaps(value);
}

/**
 * Sets a file's capabilities, writing the same bytes as `setcap TEXT FILE`
 * (revision 2, or revision 3 with `rootid`, like `setcap -n ROOTID`). Like
 * libcap, only regular files (not symlinks) are accepted.
 *
 * Privileges: CAP_SETFCAP (in the user namespace owning the file's mount).
 *
 * @example
 * ```ts
 * writeFileCaps('/usr/local/bin/server', 'cap_net_bind_service+ep');
 * ```
 * @throws {@link CapsError} INVALID_ARGUMENT for bad text or a non-regular file; `EPERM` without CAP_SETFCAP.
 */
export function writeFileCaps(path: string, caps: FileCapabilitiesInit | string, options: { rootid?: number } = {}): void {
  checkPath(path);
  const fc: FileCapabilitiesInit = typeof caps === 'string' ? fileCapsFromText(caps, options) : { ...caps, rootid: options.rootid ?? caps.rootid };
  const value = encodeFileCaps(fc);
  checkRegular(path);
  translateNative(CapsError, () => rawXattr().xattrSet(path, FILE_CAPS_XATTR, value, 0, false), {
    path,
    hint: 'setting file capabilities needs CAP_SETFCAP and a filesystem with security xattrs',
  });
}

/**
 * Removes a file's capabilities (`setcap -r`). Returns false when it had none.
 *
 * Privileges: CAP_SETFCAP.
 * @throws {@link CapsError} INVALID_ARGUMENT for a non-regular file; an errno code when removal fails.
 */
export function removeFileCaps(path: string): boolean {
  checkPath(path);
  checkRegular(path);
  try {
    rawXattr().xattrRemove(path, FILE_CAPS_XATTR, false);
    return true;
  } catch (e) {
    if (isRawNativeError(e) && e.code === 'ENODATA') return false;
    throw fromNative(CapsError, e, { path });
  }
}

/** libcap's cap_set_file refuses symlinks and non-regular files with EINVAL; so does kc, before writing. */
function checkRegular(path: string): void {
  let isFile: boolean;
  try {
    isFile = lstatSync(path).isFile();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CapsError(`cannot stat ${path}: ${err.message}`, { code: err.code, syscall: 'lstat', path, cause: e });
  }
  if (!isFile) {
    throw new CapsError(`path: ${path} is not a regular file (file capabilities apply to regular files only)`, {
      code: KcErrorCode.InvalidArgument,
      field: 'path',
      path,
    });
  }
}
