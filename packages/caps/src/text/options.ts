import { KNOWN_LAST_CAP } from '../capability.js';

/** Options of the libcap text functions. */
export interface CapTextOptions {
  /**
   * The highest capability the kernel supports: what `all` (and an empty
   * list) covers, and where cap_to_text stops grouping. libcap takes the
   * running kernel's (`/proc/sys/kernel/cap_last_cap`); kc defaults to
   * {@link KNOWN_LAST_CAP} (40) so pure code is deterministic; pass
   * `readCapLastCap()` to match libcap on a newer kernel.
   */
  lastCap?: number;
}

/** The default `lastCap` of the text functions. */
export function defaultTextLastCap(): number {
  return KNOWN_LAST_CAP;
}
