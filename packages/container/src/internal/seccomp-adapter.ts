/**
 * Compiles `linux.seccomp` into the spawn spec's `seccomp` slot with
 * `@kc/seccomp`'s public API (import the OCI profile, compile it to BPF in
 * TypeScript, wrap it for the spawn pipeline), and supplies kc's default
 * profile as OCI JSON for new configs.
 */
import type { SeccompSpec } from '@kc/native';
import { compile, exportOciSeccomp, importOciSeccomp, kcDefaultPolicy, type OciSeccomp, toSpawnSeccomp } from '@kc/seccomp';

/** The compiled filter for an OCI seccomp profile, or undefined when the config has none. */
export function compileSeccomp(profile: OciSeccomp | undefined): SeccompSpec | undefined {
  if (!profile) return undefined;
  // Engines pass the same profile for every container: compile each distinct one once per process.
  // The key only tells profiles apart, so the native stringifier does (far cheaper than the exact one on Docker's
  // profile), with bigint operands as "<digits>n": after validation an operand is a number or a bigint, never a string.
  const key = JSON.stringify(profile, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  const cached = compiled.get(key);
  if (cached) return { ...cached };
  const spec = compileUncached(profile);
  if (compiled.size > 32) compiled.clear();
  compiled.set(key, spec);
  return { ...spec };
}

const compiled = new Map<string, SeccompSpec>();

function compileUncached(profile: OciSeccomp): SeccompSpec {
  // importOciSeccomp orders rules as libseccomp does (an unconditional rule wins, entries with the default action dropped), as runc.
  const imported = importOciSeccomp(profile);
  // Like runc, names kc does not know are left out; unlike runc, say so.
  for (const w of imported.warnings) process.emitWarning(`linux.seccomp.${w.field}: ${w.message}`, { type: 'KcSeccompWarning', code: `KC_SECCOMP_${w.code}` });
  return toSpawnSeccomp(compile(imported.policy), {
    log: imported.flags.includes('SECCOMP_FILTER_FLAG_LOG'),
    specAllow: imported.flags.includes('SECCOMP_FILTER_FLAG_SPEC_ALLOW'),
  });
}

/** kc's default seccomp profile (from `@kc/seccomp`) in OCI form, for `linux.seccomp` of new configs. */
export function defaultSeccompProfile(): OciSeccomp {
  return exportOciSeccomp(kcDefaultPolicy());
}
