/**
 * Compiles `linux.seccomp` into the spawn spec's `seccomp` slot with
 * `@kc/seccomp`'s public API.
 */
import type { SeccompSpec } from '@kc/native';
import { ContainerError } from '../errors.js';
import type { OciSeccomp } from '../oci/types.js';

/** The compiled filter for an OCI seccomp profile, or undefined when the config has none. */
export function compileSeccomp(profile: OciSeccomp | undefined): SeccompSpec | undefined {
  if (!profile) return undefined;
  throw new ContainerError('linux.seccomp: compiling OCI seccomp profiles is not available yet', { code: 'UNSUPPORTED', field: 'linux.seccomp' });
}
