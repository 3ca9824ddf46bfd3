import { KcErrorCode, invalidArgument } from '@kc/native';
import { CapSet } from '../cap-set.js';
import type { CapSetLike } from '../cap-set.js';
import { CapsError } from '../errors.js';

/**
 * File capabilities: the `security.capability` extended attribute (see
 * capabilities(7) "File capabilities", include/uapi/linux/capability.h).
 * A file has a permitted and an inheritable set and ONE effective bit: when
 * set, the program starts with all its new permitted capabilities effective.
 */
export interface FileCapabilities {
  /** File permitted set (fP): granted to the new permitted set on execve, limited by the bounding set. */
  readonly permitted: CapSet;
  /** File inheritable set (fI): ANDed with the thread's inheritable set to form part of the new permitted set. */
  readonly inheritable: CapSet;
  /** The effective bit (VFS_CAP_FLAGS_EFFECTIVE). */
  readonly effective: boolean;
  /**
   * Version 3 only (Linux 4.14+): the host uid of the root of the user
   * namespace the capabilities are valid in. `undefined` (or 0 when writing)
   * means version 2, valid everywhere.
   */
  readonly rootid?: number;
}

/** Fields accepted to build {@link FileCapabilities}. */
export interface FileCapabilitiesInit {
  /** File permitted set. Default: empty. */
  permitted?: CapSetLike;
  /** File inheritable set. Default: empty. */
  inheritable?: CapSetLike;
  /** The effective bit (VFS_CAP_FLAGS_EFFECTIVE). Default: false. */
  effective?: boolean;
  /** Host uid of the namespace root for a revision 3 attribute, 1..4294967294; absent or 0 writes revision 2. */
  rootid?: number;
}

/** A decoded attribute, with the revision it was stored in. */
export interface DecodedFileCapabilities extends FileCapabilities {
  /** 1 (32 capabilities, read only), 2 or 3 (with rootid). */
  readonly version: 1 | 2 | 3;
}

/** The name of the extended attribute holding file capabilities. */
export const FILE_CAPS_XATTR = 'security.capability';

const REVISION_MASK = 0xff000000;
const FLAGS_EFFECTIVE = 0x000001;
const SIZES = { 1: 12, 2: 20, 3: 24 } as const;

function bad(problem: string): CapsError {
  return new CapsError(`${FILE_CAPS_XATTR}: ${problem}`, { code: KcErrorCode.InvalidArgument, field: 'value' });
}

/**
 * Decodes a `security.capability` value (as getxattr returns it), accepting
 * exactly what libcap's `cap_get_file` accepts: revision 1 (12 bytes), 2 (20)
 * or 3 (24), little-endian.
 *
 * @throws {@link CapsError} INVALID_ARGUMENT for an unknown revision or a size that does not match it.
 */
export function decodeFileCaps(value: Uint8Array): DecodedFileCapabilities {
  if (value.length < 4) throw bad(`${value.length} bytes is too short`);
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const magic = view.getUint32(0, true);
  const version = ((magic & REVISION_MASK) >>> 24) as 1 | 2 | 3;
  if (version !== 1 && version !== 2 && version !== 3) throw bad(`unknown revision 0x${(magic >>> 0).toString(16)}`);
  if (value.length !== SIZES[version]) throw bad(`revision ${version} must be ${SIZES[version]} bytes, got ${value.length}`);
  const word = (i: number) => BigInt(view.getUint32(4 + 4 * i, true));
  const permitted = version === 1 ? word(0) : word(0) | (word(2) << 32n);
  const inheritable = version === 1 ? word(1) : word(1) | (word(3) << 32n);
  return {
    version,
    permitted: CapSet.fromMask(permitted),
    inheritable: CapSet.fromMask(inheritable),
    effective: (magic & FLAGS_EFFECTIVE) !== 0,
    ...(version === 3 ? { rootid: view.getUint32(20, true) } : {}),
  };
}

/**
 * Encodes file capabilities byte for byte as libcap's `cap_set_file` (and so
 * `setcap`) does: revision 2 (20 bytes) when `rootid` is absent or 0,
 * revision 3 (24 bytes) otherwise.
 *
 * @throws {@link CapsError} INVALID_ARGUMENT for a rootid outside 0..2^32-2.
 */
export function encodeFileCaps(caps: FileCapabilitiesInit): Buffer {
  const permitted = CapSet.from(caps.permitted ?? CapSet.EMPTY, 'permitted').mask;
  const inheritable = CapSet.from(caps.inheritable ?? CapSet.EMPTY, 'inheritable').mask;
  const rootid = caps.rootid ?? 0;
  if (!Number.isInteger(rootid) || rootid < 0 || rootid >= 0xffffffff) {
    throw invalidArgument(CapsError, 'rootid', `${rootid} is not a uid`, 'use 0..4294967294');
  }
  const version = rootid === 0 ? 2 : 3;
  const out = Buffer.alloc(SIZES[version]);
  out.writeUInt32LE(((version << 24) | (caps.effective ? FLAGS_EFFECTIVE : 0)) >>> 0, 0);
  const lo = (m: bigint) => Number(m & 0xffffffffn);
  const hi = (m: bigint) => Number(m >> 32n);
  out.writeUInt32LE(lo(permitted), 4);
  out.writeUInt32LE(lo(inheritable), 8);
  out.writeUInt32LE(hi(permitted), 12);
  out.writeUInt32LE(hi(inheritable), 16);
  if (version === 3) out.writeUInt32LE(rootid, 20);
  return out;
}
