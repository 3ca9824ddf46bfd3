import { CAPABILITIES } from '@kc/caps';
import type { OciCapabilityName } from './types.js';

/**
 * Linux capability names and numbers (capabilities(7), linux/capability.h),
 * from `@kc/caps`' table: used to validate `process.capabilities` and to turn
 * names into the bit masks of the spawn spec's `capabilities` slot.
 */
export const CAPABILITY_NUMBERS: Readonly<Record<string, number>> = Object.freeze(Object.fromEntries(CAPABILITIES.map((c) => [c.name, c.number])));

/**
 * Docker's default capability set (moby `oci/caps/defaults.go`): what a
 * container gets unless its config says otherwise.
 */
export const DEFAULT_CAPABILITIES: readonly OciCapabilityName[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** The mask (bit N = capability N) of a list of names; unknown names must have been rejected before. */
export function capabilityMask(names: readonly string[] | undefined): bigint {
  let mask = 0n;
  for (const name of names ?? []) {
    const n = CAPABILITY_NUMBERS[name];
    if (n !== undefined) mask |= 1n << BigInt(n);
  }
  return mask;
}

/**
 * The ambient set the kernel will let the container raise: the config's
 * `ambient` less what is not also in `permitted` and `inheritable`
 * (capabilities(7): PR_CAP_AMBIENT_RAISE fails for those). runc 1.1 warns
 * and goes on without them, and its own `runc spec` asks for ambient
 * capabilities without inheritable ones, so kc does the same: it emits a
 * process warning (`KC_AMBIENT_DROPPED`) naming what it leaves out. Pure but
 * for the warning.
 */
export function raisableAmbient(caps: { ambient?: readonly string[]; permitted?: readonly string[]; inheritable?: readonly string[] } | undefined): bigint {
  const ambient = capabilityMask(caps?.ambient);
  const raisable = ambient & capabilityMask(caps?.permitted) & capabilityMask(caps?.inheritable);
  if (raisable !== ambient) {
    const dropped = (caps?.ambient ?? []).filter((name) => (capabilityMask([name]) & raisable) === 0n);
    process.emitWarning(
      `process.capabilities.ambient: ${dropped.join(', ')} not raised (an ambient capability must also be permitted and inheritable), as runc does`,
      {
        code: 'KC_AMBIENT_DROPPED',
      },
    );
  }
  return raisable;
}
