import type { CgroupPlacement, NamespaceKind, ProcessSpec, RlimitName, SeccompSpec, StdioOption } from '@kc/native';
import { capabilityMask, raisableAmbient } from '../oci/capability-names.js';
import type { OciConfig, OciNamespaceType } from '../oci/types.js';
import { type MountContext, translateMounts } from './mounts.js';

/** OCI namespace type → kc namespace kind (`/proc/PID/ns` names). */
export const NAMESPACE_KIND: Readonly<Record<OciNamespaceType, NamespaceKind>> = {
  pid: 'pid',
  network: 'net',
  mount: 'mnt',
  ipc: 'ipc',
  uts: 'uts',
  user: 'user',
  cgroup: 'cgroup',
  time: 'time',
};

/** Everything besides the config that the translation needs; all decided by the caller, so translation is pure. */
export interface TranslateContext extends MountContext {
  /** Where the process starts in the cgroup tree. */
  cgroup?: CgroupPlacement;
  /** The compiled `linux.seccomp` filter, if any. */
  seccomp?: SeccompSpec;
  /** Standard streams. Default inherit. */
  stdio?: readonly [StdioOption, StdioOption, StdioOption];
}

/** Parses `KEY=VALUE` strings into an environment record (later entries win, as execve's consumers see it). */
export function envRecord(env: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

/**
 * Translates a validated OCI config into the spawn pipeline's
 * {@link ProcessSpec}: namespaces (new or joined by path), id maps, hostname,
 * mounts, sysctl, rlimits, user, umask, capability masks, no_new_privs,
 * seccomp, cwd, env and stdio. A pure function.
 *
 * @example
 * ```ts
 * const spec = toProcessSpec(validateConfig(json), { rootfs: '/b/rootfs', isDirectory, cgroupLayout });
 * ```
 */
export function toProcessSpec(config: OciConfig, ctx: TranslateContext): ProcessSpec {
  const proc = config.process;
  const linux = config.linux ?? {};
  const namespaces: NamespaceKind[] = [];
  const join: { kind: NamespaceKind; path: string }[] = [];
  for (const ns of linux.namespaces ?? []) {
    if (ns.path) join.push({ kind: NAMESPACE_KIND[ns.type], path: ns.path });
    else namespaces.push(NAMESPACE_KIND[ns.type]);
  }
  const caps = proc?.capabilities;
  const spec: ProcessSpec = {
    argv: [...(proc?.args ?? [])],
    env: envRecord(proc?.env),
    cwd: proc?.cwd ?? '/',
    namespaces,
    mounts: translateMounts(config, ctx),
    user: { uid: proc?.user.uid ?? 0, gid: proc?.user.gid ?? 0, groups: [...(proc?.user.additionalGids ?? [])] },
    capabilities: {
      bounding: capabilityMask(caps?.bounding),
      effective: capabilityMask(caps?.effective),
      permitted: capabilityMask(caps?.permitted),
      inheritable: capabilityMask(caps?.inheritable),
      ambient: raisableAmbient(caps),
    },
    noNewPrivileges: proc?.noNewPrivileges ?? false,
    rlimits: (proc?.rlimits ?? []).map((r) => ({
      resource: r.type.slice('RLIMIT_'.length).toLowerCase() as RlimitName,
      soft: r.soft,
      hard: r.hard,
    })),
    stdio: ctx.stdio ?? ['inherit', 'inherit', 'inherit'],
  };
  if (join.length > 0) spec.join = join;
  if (linux.uidMappings?.length) spec.uidMap = linux.uidMappings.map((m) => ({ containerId: m.containerID, hostId: m.hostID, size: m.size }));
  if (linux.gidMappings?.length) spec.gidMap = linux.gidMappings.map((m) => ({ containerId: m.containerID, hostId: m.hostID, size: m.size }));
  if (config.hostname !== undefined) spec.hostname = config.hostname;
  if (config.domainname !== undefined) spec.domainname = config.domainname;
  if (linux.sysctl && Object.keys(linux.sysctl).length > 0) spec.sysctl = { ...linux.sysctl };
  if (proc?.oomScoreAdj !== undefined) spec.oomScoreAdj = proc.oomScoreAdj;
  // process.user.umask (config.md "User"): set by the spawn pipeline after mounts, so device nodes keep their modes; absent inherits the runtime's.
  if (proc?.user.umask !== undefined) spec.umask = proc.user.umask;
  if (ctx.cgroup) spec.cgroup = ctx.cgroup;
  if (ctx.seccomp) spec.seccomp = ctx.seccomp;
  const offsets = linux.timeOffsets;
  if (offsets && namespaces.includes('time')) {
    spec.timeOffsets = {};
    for (const clock of ['monotonic', 'boottime'] as const) {
      const o = offsets[clock];
      if (o) spec.timeOffsets[clock] = (o.secs ?? 0) + (o.nanosecs ?? 0) / 1e9;
    }
  }
  return spec;
}
