import { loadAddon } from '../addon.js';

/** The three sets `capget(2)` reports, as masks (bit N = capability N). */
export interface RawCapgetSets {
  /** The effective set: the capabilities the kernel checks now (`CapEff` in /proc/PID/status). */
  effective: bigint;
  /** The permitted set: the ceiling of effective (`CapPrm`). */
  permitted: bigint;
  /** The inheritable set, preserved across execve (`CapInh`). */
  inheritable: bigint;
}

/** Raw functions of binding/caps.cc. */
export interface RawCaps {
  /** capget(2), version 3, for `pid` (0 = the calling thread). */
  capsCapget(pid: number): RawCapgetSets;
  /** prctl(PR_GET_SECUREBITS) of the calling thread. */
  capsGetSecurebits(): number;
  /** prctl(PR_GET_NO_NEW_PRIVS) of the calling thread. */
  capsGetNoNewPrivs(): boolean;
}

/** The capability raw binding, loaded lazily. */
export function rawCaps(): RawCaps {
  return loadAddon<RawCaps>();
}
