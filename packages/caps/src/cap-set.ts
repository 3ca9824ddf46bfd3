import { KNOWN_LAST_CAP, MAX_CAP_NUMBER, capabilityName } from './capability.js';
import type { CapabilityLike, CapName } from './capability.js';
import { FULL_MASK, checkMask, resolveCapability } from './internal/resolve.js';

/** Anything kc accepts where a set of capabilities is expected. */
export type CapSetLike = CapSet | bigint | Iterable<CapabilityLike>;

/**
 * An immutable set of capabilities, stored as the kernel stores it: a 64-bit
 * mask where bit N is capability N. Capabilities newer than kc are kept as
 * numbers. Every operation returns a new set.
 *
 * @example
 * ```ts
 * const net = CapSet.of('NET_RAW', 'CAP_NET_ADMIN');
 * net.has('net_raw');                  // true
 * net.union(CapSet.of(0)).toString();  // 'cap_chown,cap_net_admin,cap_net_raw'
 * net.mask;                            // 0x3000n
 * ```
 */
export class CapSet implements Iterable<number> {
  /** The empty set. */
  static readonly EMPTY: CapSet = new CapSet(0n);

  /** The mask, bit N = capability N. */
  readonly mask: bigint;

  private constructor(mask: bigint) {
    this.mask = mask;
    Object.freeze(this);
  }

  /**
   * A set from a 64-bit mask (as in `/proc/PID/status` or `capget(2)`).
   * @throws {@link CapsError} INVALID_ARGUMENT when the mask is negative or wider than 64 bits.
   */
  static fromMask(mask: bigint): CapSet {
    return mask === 0n ? CapSet.EMPTY : new CapSet(checkMask(mask, 'mask'));
  }

  /**
   * A set of the given capabilities, by number or name.
   * @throws {@link CapsError} INVALID_ARGUMENT for an unknown name or a number outside 0..63.
   */
  static of(...caps: CapabilityLike[]): CapSet {
    return CapSet.from(caps);
  }

  /**
   * A set from any {@link CapSetLike}: a CapSet (returned as is), a mask or a list of names/numbers.
   * @throws {@link CapsError} INVALID_ARGUMENT for an unknown name, a bad number or mask.
   */
  static from(value: CapSetLike, field = 'caps'): CapSet {
    if (value instanceof CapSet) return value;
    if (typeof value === 'bigint') return CapSet.fromMask(checkMask(value, field));
    let mask = 0n;
    let i = 0;
    for (const cap of value) mask |= 1n << BigInt(resolveCapability(cap, `${field}[${i++}]`));
    return CapSet.fromMask(mask);
  }

  /** Every capability 0..`lastCap` (default: all kc knows; pass `readCapLastCap()` for the running kernel's). */
  static all(lastCap: number = KNOWN_LAST_CAP): CapSet {
    const n = Math.min(Math.max(lastCap, -1), MAX_CAP_NUMBER) + 1;
    return CapSet.fromMask((1n << BigInt(n)) - 1n);
  }

  /** True when capability `cap` is in the set. */
  has(cap: CapabilityLike): boolean {
    return ((this.mask >> BigInt(resolveCapability(cap, 'cap'))) & 1n) === 1n;
  }

  /** This set plus `caps`. */
  add(...caps: CapabilityLike[]): CapSet {
    return this.union(CapSet.from(caps));
  }

  /** This set without `caps`. */
  remove(...caps: CapabilityLike[]): CapSet {
    return this.difference(CapSet.from(caps));
  }

  /** Capabilities in either set. */
  union(other: CapSetLike): CapSet {
    return CapSet.fromMask(this.mask | CapSet.from(other).mask);
  }

  /** Capabilities in both sets. */
  intersect(other: CapSetLike): CapSet {
    return CapSet.fromMask(this.mask & CapSet.from(other).mask);
  }

  /** Capabilities in this set and not in `other`. */
  difference(other: CapSetLike): CapSet {
    return CapSet.fromMask(this.mask & ~CapSet.from(other).mask & FULL_MASK);
  }

  /** Capabilities 0..`lastCap` not in this set. */
  complement(lastCap: number = KNOWN_LAST_CAP): CapSet {
    return CapSet.all(lastCap).difference(this);
  }

  /** True when every capability of this set is in `other`. */
  isSubsetOf(other: CapSetLike): boolean {
    return (this.mask & ~CapSet.from(other).mask) === 0n;
  }

  /** True when every capability of `other` is in this set. */
  isSupersetOf(other: CapSetLike): boolean {
    return CapSet.from(other).isSubsetOf(this);
  }

  /** True when both sets hold the same capabilities. */
  equals(other: CapSetLike): boolean {
    return this.mask === CapSet.from(other).mask;
  }

  /** True when the set is empty. */
  get isEmpty(): boolean {
    return this.mask === 0n;
  }

  /** Number of capabilities in the set. */
  get size(): number {
    let n = 0;
    for (let m = this.mask; m; m &= m - 1n) n++;
    return n;
  }

  /** Capability numbers, ascending. */
  values(): number[] {
    const out: number[] = [];
    for (let n = 0; n <= MAX_CAP_NUMBER; n++) if ((this.mask >> BigInt(n)) & 1n) out.push(n);
    return out;
  }

  /** Kernel names, ascending by number (`'CAP_CHOWN'`; future capabilities as `'41'`). */
  names(): (`CAP_${CapName}` | `${number}`)[] {
    return this.values().map(capabilityName);
  }

  /** Iterates the capability numbers in the set, ascending (the same order as `values()`). */
  [Symbol.iterator](): Iterator<number> {
    return this.values()[Symbol.iterator]();
  }

  /** libcap-style lower-case list, as `capsh --decode` prints it: `'cap_chown,cap_kill'` (`''` when empty). */
  toString(): string {
    return this.values()
      .map((n) => capabilityName(n).toLowerCase())
      .join(',');
  }

  /** The mask as 16 hex digits, as in `/proc/PID/status`: `'0000000000003000'`. */
  toHex(): string {
    return this.mask.toString(16).padStart(16, '0');
  }

  /** JSON form: the list of kernel names. */
  toJSON(): string[] {
    return this.names();
  }
}
