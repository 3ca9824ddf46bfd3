import { KcErrorCode } from '@kc/native';
import { CapSet } from '../cap-set.js';
import type { Capabilities } from '../capabilities.js';
import { CapsError } from '../errors.js';
import { readCapLastCap } from '../process/read.js';
import { ALL_SECUREBITS, Securebit } from '../securebits.js';

/**
 * The `capabilities` slot of `@kc/native`'s `ProcessSpec` (its
 * `CapabilitySpec`): masks with bit N = capability N, plus securebits.
 */
export interface SpawnCapabilities {
  /** Bounding set to keep, already limited to the running kernel's `cap_last_cap`; the rest is dropped. */
  bounding: bigint;
  /** Effective mask for capset(2); a subset of `permitted`. */
  effective: bigint;
  /** Permitted mask for capset(2). */
  permitted: bigint;
  /** Inheritable mask for capset(2); a subset of `bounding`. */
  inheritable: bigint;
  /** Ambient mask raised with PR_CAP_AMBIENT_RAISE; a subset of permitted ∩ inheritable. */
  ambient: bigint;
  /** SECBIT_* flags to set with PR_SET_SECUREBITS. */
  securebits?: number;
}

/** Options of {@link toSpawnCapabilities}. */
export interface SpawnCapabilitiesOptions {
  /** Securebits for the child (see {@link Securebit}); none are set when absent. */
  securebits?: number;
  /** The kernel's last capability; default: read from `/proc/sys/kernel/cap_last_cap`. */
  lastCap?: number;
}

function invalid(field: string, problem: string, extra: CapSet, hint: string): CapsError {
  return new CapsError(`capabilities.${field}: ${problem}: ${extra.toString()} (${hint})`, {
    code: KcErrorCode.InvalidArgument,
    field: `capabilities.${field}`,
    token: extra.toString(),
    hint,
  });
}

/**
 * Turns a {@link Capabilities} state into the spawn pipeline's
 * `capabilities` slot, after checking that the kernel will accept it in the
 * child (which applies, in order: bounding drops, securebits, capset of
 * effective/permitted/inheritable, ambient raises; see capabilities(7)):
 *
 * - effective ⊆ permitted (capset(2) refuses otherwise);
 * - inheritable ⊆ bounding (capset may not add to inheritable what the bounding set lacks);
 * - ambient ⊆ permitted ∩ inheritable (PR_CAP_AMBIENT_RAISE refuses otherwise);
 * - no capability above the running kernel's last one, which capset would silently drop;
 * - securebits are known bits, and NO_CAP_AMBIENT_RAISE is not set together with ambient capabilities.
 *
 * This is the supported way to run a program with chosen capabilities:
 * capabilities are per-thread state and Node runs several threads, so kc
 * offers no helper that changes the Node process's own capabilities.
 *
 * @example
 * ```ts
 * import { spawn } from '@kc/native';
 * const child = spawn({
 *   argv: ['/usr/bin/python3', 'server.py'],
 *   user: { uid: 65534, gid: 65534 },
 *   capabilities: toSpawnCapabilities(Capabilities.only(['NET_BIND_SERVICE'])),
 * });
 * ```
 * @throws {@link CapsError} INVALID_ARGUMENT naming the set (`capabilities.ambient`...) and the capabilities at fault.
 */
export function toSpawnCapabilities(caps: Capabilities, options: SpawnCapabilitiesOptions = {}): SpawnCapabilities {
  const lastCap = options.lastCap ?? readCapLastCap();
  const kernel = CapSet.all(lastCap);
  for (const field of ['effective', 'permitted', 'inheritable', 'ambient'] as const) {
    const extra = caps[field].difference(kernel);
    if (!extra.isEmpty) {
      throw invalid(field, `capabilities unknown to this kernel (last is ${lastCap})`, extra, 'remove them; the kernel would drop them silently');
    }
  }
  const notPermitted = caps.effective.difference(caps.permitted);
  if (!notPermitted.isEmpty) {
    throw invalid('effective', 'not in the permitted set', notPermitted, 'add them to permitted or remove them from effective');
  }
  const notBounded = caps.inheritable.difference(caps.bounding);
  if (!notBounded.isEmpty) {
    throw invalid('inheritable', 'not in the bounding set', notBounded, 'add them to bounding or remove them from inheritable');
  }
  const notAllowed = caps.ambient.difference(caps.permitted.intersect(caps.inheritable));
  if (!notAllowed.isEmpty) {
    throw invalid('ambient', 'not both permitted and inheritable', notAllowed, 'an ambient capability must be in permitted and in inheritable');
  }
  const securebits = options.securebits;
  if (securebits !== undefined) {
    if (!Number.isInteger(securebits) || securebits < 0 || (securebits & ~ALL_SECUREBITS) !== 0) {
      throw new CapsError(`capabilities.securebits: ${securebits} has bits the kernel does not define`, {
        code: KcErrorCode.InvalidArgument,
        field: 'capabilities.securebits',
        hint: 'combine Securebit.* flags',
      });
    }
    if (securebits & Securebit.NO_CAP_AMBIENT_RAISE && !caps.ambient.isEmpty) {
      throw invalid('securebits', 'NO_CAP_AMBIENT_RAISE forbids the ambient capabilities asked', caps.ambient, 'drop one or the other');
    }
  }
  return {
    bounding: caps.bounding.intersect(kernel).mask,
    effective: caps.effective.mask,
    permitted: caps.permitted.mask,
    inheritable: caps.inheritable.mask,
    ambient: caps.ambient.mask,
    ...(securebits !== undefined ? { securebits } : {}),
  };
}
