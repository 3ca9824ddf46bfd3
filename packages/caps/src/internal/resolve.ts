import { invalidArgument } from '@kc/native';
import { MAX_CAP_NUMBER, capabilityNumber } from '../capability.js';
import type { CapabilityLike } from '../capability.js';
import { CapsError } from '../errors.js';

/** All 64 bits a capability mask can hold. */
export const FULL_MASK = (1n << 64n) - 1n;

/** Resolves a number or name to a capability number, or throws a CapsError naming `field`. */
export function resolveCapability(cap: CapabilityLike, field: string): number {
  if (typeof cap === 'number') {
    if (Number.isInteger(cap) && cap >= 0 && cap <= MAX_CAP_NUMBER) return cap;
    throw invalidArgument(CapsError, field, `${cap} is not a capability number`, `use 0..${MAX_CAP_NUMBER}`);
  }
  if (typeof cap === 'string') {
    if (/^[0-9]+$/.test(cap)) return resolveCapability(Number(cap), field);
    const n = capabilityNumber(cap);
    if (n !== undefined) return n;
    throw invalidArgument(CapsError, field, `unknown capability "${cap}"`, 'see CAPABILITIES or capabilities(7)');
  }
  throw invalidArgument(CapsError, field, `expected a capability name or number, got ${typeof cap}`);
}

/** Checks a mask fits in 64 bits and is not negative. */
export function checkMask(mask: bigint, field: string): bigint {
  if (typeof mask !== 'bigint' || mask < 0n || mask > FULL_MASK) {
    throw invalidArgument(CapsError, field, `capability mask ${String(mask)} is outside 0..2^64-1`);
  }
  return mask;
}
