/**
 * Compiles `linux.seccomp` into the spawn spec's `seccomp` slot with
 * `@kc/seccomp`'s public API (import the OCI profile, compile it to BPF in
 * TypeScript, wrap it for the spawn pipeline), and supplies kc's default
 * profile as OCI JSON for new configs.
 */
import type { SeccompSpec } from '@kc/native';
import { compile, exportOciSeccomp, importOciSeccomp, kcDefaultPolicy, type OciSeccomp as SeccompOci, toSpawnSeccomp } from '@kc/seccomp';
import type { OciSeccomp } from '../oci/types.js';

/** The compiled filter for an OCI seccomp profile, or undefined when the config has none. */
export function compileSeccomp(profile: OciSeccomp | undefined): SeccompSpec | undefined {
  if (!profile) return undefined;
  // Engines pass the same profile for every container: compile each distinct one once per process.
  const key = JSON.stringify(profile);
  const cached = compiled.get(key);
  if (cached) return { ...cached };
  const spec = compileUncached(profile);
  if (compiled.size > 32) compiled.clear();
  compiled.set(key, spec);
  return { ...spec };
}

const compiled = new Map<string, SeccompSpec>();

function compileUncached(profile: OciSeccomp): SeccompSpec {
  const imported = importOciSeccomp(firstRuleWins(profile) as unknown as SeccompOci);
  return toSpawnSeccomp(compile(imported.policy), {
    log: imported.flags.includes('SECCOMP_FILTER_FLAG_LOG'),
    specAllow: imported.flags.includes('SECCOMP_FILTER_FLAG_SPEC_ALLOW'),
  });
}

/** kc's default seccomp profile (from `@kc/seccomp`) in OCI form, for `linux.seccomp` of new configs. */
export function defaultSeccompProfile(): OciSeccomp {
  return exportOciSeccomp(kcDefaultPolicy()) as unknown as OciSeccomp;
}

/**
 * Engines' resolved profiles (podman's, Docker's) list some syscalls twice
 * with different actions, e.g. `setns` allowed in the big allow-list and
 * denied again in the "without CAP_SYS_ADMIN" block. libseccomp keeps the
 * first unconditional rule for a syscall and ignores later ones, and runc and
 * crun rely on it; this drops later rules' names that an earlier
 * unconditional rule already decided, so kc behaves the same.
 */
export function firstRuleWins(profile: OciSeccomp): OciSeccomp {
  const decided = new Set<string>();
  const syscalls = [];
  for (const rule of profile.syscalls ?? []) {
    const names = rule.names.filter((n) => !decided.has(n));
    if (!rule.args?.length) for (const n of names) decided.add(n);
    if (names.length > 0) syscalls.push({ ...rule, names });
  }
  return { ...profile, syscalls };
}
