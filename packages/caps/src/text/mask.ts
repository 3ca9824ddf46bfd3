import { KcErrorCode } from '@kc/native';
import { CapSet } from '../cap-set.js';
import { CapsError } from '../errors.js';

/**
 * Parses a capability mask in hex, as `capsh --decode=` takes it and
 * `/proc/PID/status` prints it: `0x3000`, `3000`, `000001ffffffffff`.
 * Unlike capsh (which reads garbage as 0 and saturates overflow), bad input
 * is an error.
 *
 * @example
 * ```ts
 * parseCapMask('0x3000').toString(); // 'cap_net_admin,cap_net_raw'
 * ```
 * @throws {@link CapsError} INVALID_ARGUMENT (`field: 'mask'`, with `offset`) for a non-hex character or more than 64 bits.
 */
export function parseCapMask(text: string): CapSet {
  const trimmed = text.trim();
  const lead = text.indexOf(trimmed);
  const digits = /^0[xX]/.test(trimmed) ? trimmed.slice(2) : trimmed;
  const start = lead + (trimmed.length - digits.length);
  const badAt = digits.search(/[^0-9a-fA-F]/);
  if (digits.length === 0 || badAt >= 0) {
    const offset = start + Math.max(badAt, 0);
    throw new CapsError(`mask: "${text}" is not a hex capability mask (bad character at offset ${offset})`, {
      code: KcErrorCode.InvalidArgument,
      field: 'mask',
      offset,
      token: digits.length === 0 ? text : (digits[badAt] as string),
      hint: 'write it as capsh --decode takes it, e.g. 0x00000000a80425fb',
    });
  }
  const value = BigInt(`0x${digits}`);
  if (value >> 64n) {
    throw new CapsError(`mask: "${text}" is wider than 64 bits`, {
      code: KcErrorCode.InvalidArgument,
      field: 'mask',
      offset: start,
      token: digits,
    });
  }
  return CapSet.fromMask(value);
}

/**
 * The line `capsh --decode=MASK` prints: the mask as `0x` and 16 hex digits,
 * `=`, then the lower-case names (numbers for capabilities newer than kc).
 *
 * @example
 * ```ts
 * formatCapshDecode(CapSet.fromMask(0x3000n)); // '0x0000000000003000=cap_net_admin,cap_net_raw'
 * ```
 */
export function formatCapshDecode(set: CapSet): string {
  return `0x${set.toHex()}=${set.toString()}`;
}
