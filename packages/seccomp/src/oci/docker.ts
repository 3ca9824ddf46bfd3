import { invalidArgument } from '@kc/native';
import { type ArchName, isArchName } from '../arch.js';
import { SeccompError } from '../errors.js';
import { DOCKER_ARCH, OCI_ARCH } from './names.js';
import type { DockerCondition, OciSeccomp } from './types.js';

/** What Docker knows about the container when it resolves a profile's includes/excludes. */
export interface DockerResolveOptions {
  /** The host architecture (Docker matches `includes.arches` against it). */
  arch: ArchName;
  /** Capabilities the container keeps, e.g. `['CAP_SYS_ADMIN']`. Default: none. */
  caps?: readonly string[];
  /** Kernel version `major.minor`, for `minKernel`. Default: no limit (every minKernel holds). */
  kernel?: string;
}

const versionAtLeast = (have: string, want: string) => {
  const [a = 0, b = 0] = have.split('.').map(Number);
  const [c = 0, d = 0] = want.split('.').map(Number);
  return a > c || (a === c && b >= d);
};

function matches(cond: DockerCondition | undefined, arch: string, caps: readonly string[], kernel: string | undefined, whole: boolean): boolean {
  if (!cond) return whole;
  const tests: boolean[] = [];
  if (cond.arches?.length) tests.push(cond.arches.includes(arch));
  if (cond.caps?.length) tests.push(cond.caps.every((c) => caps.includes(c)));
  if (cond.minKernel) tests.push(kernel === undefined || versionAtLeast(kernel, cond.minKernel));
  if (tests.length === 0) return whole;
  // includes: all given conditions must hold; excludes: any of them drops the entry (moby profiles/seccomp).
  return whole ? tests.every(Boolean) : tests.some(Boolean);
}

/**
 * Resolves a profile in Docker's format (OCI `linux.seccomp` plus `archMap`
 * and per-entry `includes`/`excludes`) into the plain OCI object Docker hands
 * to the runtime, for one host arch, capability set and kernel.
 *
 * @throws {@link SeccompError} `INVALID_ARGUMENT` when the host arch is unknown.
 * @example
 * ```ts
 * const oci = resolveDockerProfile(parseOciSeccompJson(readFileSync('default.json', 'utf8')), { arch: 'x86_64' });
 * ```
 */
export function resolveDockerProfile(profile: OciSeccomp, opts: DockerResolveOptions): OciSeccomp {
  if (!isArchName(opts.arch)) throw invalidArgument(SeccompError, 'arch', `unknown architecture '${opts.arch}'`);
  const caps = opts.caps ?? [];
  const dockerArch = DOCKER_ARCH[opts.arch];
  const nativeOci = Object.entries(OCI_ARCH).find(([, a]) => a === opts.arch)?.[0] as string;
  let architectures = profile.architectures;
  if (profile.archMap) {
    const entry = profile.archMap.find((m) => m.architecture === nativeOci);
    architectures = entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : [];
  }
  const out: OciSeccomp = {
    defaultAction: profile.defaultAction,
    syscalls: [],
  };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  if (architectures) out.architectures = architectures;
  if (profile.flags) out.flags = profile.flags;
  for (const s of profile.syscalls ?? []) {
    if (!matches(s.includes, dockerArch, caps, opts.kernel, true)) continue;
    if (s.excludes && matches(s.excludes, dockerArch, caps, opts.kernel, false)) continue;
    const { includes: _i, excludes: _e, comment: _c, ...plain } = s;
    out.syscalls?.push(plain);
  }
  return out;
}
