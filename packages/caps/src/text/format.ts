import { MAX_CAP_NUMBER, capabilityName } from '../capability.js';
import type { CapTriple } from '../capabilities.js';
import { defaultTextLastCap } from './options.js';
import type { CapTextOptions } from './options.js';

// Flag bits in libcap's order of significance (libcap.h: LIBCAP_EFF 1,
// LIBCAP_PER 2, LIBCAP_INH 4); groups are printed from 7 down to 1.
const EFF = 1;
const PER = 2;
const INH = 4;

/** Flags of a state, written in the e, i, p order libcap uses. */
function flagText(state: number): string {
  return (state & EFF ? 'e' : '') + (state & INH ? 'i' : '') + (state & PER ? 'p' : '');
}

/**
 * Prints three sets in the libcap text format, byte for byte what
 * `cap_to_text(3)` of libcap 2.66 prints (and `getcap`, `getpcaps` show).
 *
 * libcap's canonical form: among capabilities 0..`lastCap`, the most common
 * combination of flags becomes the `=flags` prefix (ties go to the smaller
 * combination, so empty wins); every other combination is a clause listing
 * its capabilities in ascending order with `+` for the flags to add and `-`
 * for those to remove, from `eip` down to `e`. When the prefix is a bare `=`,
 * the first clause absorbs it (`cap_chown=e` rather than `= cap_chown+e`).
 * Capabilities above `lastCap` follow as `+` clauses, by number.
 *
 * @example
 * ```ts
 * formatCapText(parseCapText('cap_net_raw+ep'));      // 'cap_net_raw=ep'
 * formatCapText(parseCapText('all=eip cap_chown-e')); // '=eip cap_chown-e'
 * ```
 */
export function formatCapText(sets: CapTriple, options: CapTextOptions = {}): string {
  const lastCap = Math.min(options.lastCap ?? defaultTextLastCap(), MAX_CAP_NUMBER);
  const bound = lastCap + 1;
  const e = sets.effective.mask;
  const p = sets.permitted.mask;
  const i = sets.inheritable.mask;
  const state = (n: number): number => {
    const bit = 1n << BigInt(n);
    return (e & bit ? EFF : 0) | (p & bit ? PER : 0) | (i & bit ? INH : 0);
  };

  // Capabilities per flag combination, for the kernel's capabilities.
  const groups: number[][] = Array.from({ length: 8 }, () => []);
  for (let n = 0; n < bound; n++) groups[state(n)]?.push(n);
  let common = 7;
  for (let t = 6; t >= 0; t--) if ((groups[t] as number[]).length >= (groups[common] as number[]).length) common = t;

  let out = `=${flagText(common)}`;
  for (let t = 7; t >= 0; t--) {
    const caps = groups[t] as number[];
    if (t === common || caps.length === 0) continue;
    const names = caps.map((n) => capabilityName(n).toLowerCase()).join(',');
    const raise = t & ~common;
    const lower = ~t & common;
    if (raise && out === '=') {
      out = `${names}=${flagText(raise)}`;
    } else {
      out += ` ${names}${raise ? `+${flagText(raise)}` : ''}`;
    }
    if (lower) out += `-${flagText(lower)}`;
  }

  // Capabilities the kernel does not have are only ever raised.
  const extra: number[][] = Array.from({ length: 8 }, () => []);
  for (let n = bound; n <= MAX_CAP_NUMBER; n++) extra[state(n)]?.push(n);
  for (let t = 7; t >= 1; t--) {
    const caps = extra[t] as number[];
    if (caps.length === 0) continue;
    out += ` ${caps.map((n) => capabilityName(n).toLowerCase()).join(',')}+${flagText(t)}`;
  }
  return out;
}
