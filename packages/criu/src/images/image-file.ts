import { CriuError } from '../errors.js';

/**
 * CRIU's image magics (criu/include/magic.h). Most images start with
 * IMG_COMMON_MAGIC, service files (stats) with IMG_SERVICE_MAGIC, then the
 * image's own magic; inventory.img carries only its own magic.
 */
export const ImageMagic = {
  /** IMG_COMMON_MAGIC: first word of most images, followed by the image's own magic. */
  Common: 0x54564319,
  /** IMG_SERVICE_MAGIC: first word of service files such as `stats-dump`, followed by their own magic. */
  Service: 0x55105940,
  /** INVENTORY_MAGIC of `inventory.img` (stands alone, without a common magic). */
  Inventory: 0x58313116,
  /** PSTREE_MAGIC of `pstree.img`. */
  Pstree: 0x50273030,
  /** STATS_MAGIC of `stats-dump` and `stats-restore`. */
  Stats: 0x57093306,
} as const;

/**
 * Splits a CRIU image into its entries: after the magic(s), each entry is a
 * little-endian u32 length followed by that many bytes of protobuf.
 *
 * @throws {@link CriuError} with code `INVALID_FORMAT` when the magic is wrong or an entry is cut short.
 */
export function splitImage(bytes: Uint8Array, magic: number, name: string): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new CriuError(`${name}: ${why}`, { code: 'INVALID_FORMAT', path: name });
  if (bytes.byteLength < 4) throw bad('too short for a CRIU image');
  let off = 0;
  let first = view.getUint32(0, true);
  if (first === ImageMagic.Common || first === ImageMagic.Service) {
    if (bytes.byteLength < 8) throw bad('too short for a CRIU image');
    first = view.getUint32(4, true);
    off = 8;
  } else {
    off = 4;
  }
  if (first !== magic) throw bad(`magic 0x${first.toString(16)} is not 0x${magic.toString(16)}`);
  const entries: Uint8Array[] = [];
  while (off < bytes.byteLength) {
    if (off + 4 > bytes.byteLength) throw bad(`truncated entry header at byte ${off}`);
    const len = view.getUint32(off, true);
    off += 4;
    if (off + len > bytes.byteLength) throw bad(`entry at byte ${off - 4} claims ${len} bytes, ${bytes.byteLength - off} remain`);
    entries.push(bytes.subarray(off, off + len));
    off += len;
  }
  return entries;
}

/** Builds an image from entries (the inverse of {@link splitImage}; used to write fixtures). */
export function joinImage(magic: number, entries: Uint8Array[], header?: number): Uint8Array {
  const headerLen = header === undefined ? 4 : 8;
  const total = headerLen + entries.reduce((n, e) => n + 4 + e.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let off = 0;
  if (header !== undefined) {
    view.setUint32(0, header, true);
    off = 4;
  }
  view.setUint32(off, magic, true);
  off += 4;
  for (const e of entries) {
    view.setUint32(off, e.byteLength, true);
    out.set(e, off + 4);
    off += 4 + e.byteLength;
  }
  return out;
}
