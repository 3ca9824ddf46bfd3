import { DEFAULT_DEVICE_RULES, type DeviceRule, type Limit, type Resources, withDefaultDeviceRules } from '@kc/cgroups';
import type { OciDevice, OciDeviceCgroupRule, OciResources } from '../oci/types.js';

/**
 * Devices every container may use whatever its rules say: `@kc/cgroups`'
 * {@link @kc/cgroups!DEFAULT_DEVICE_RULES} (runc 1.1's `AllowedDevices`) in OCI
 * form, wildcards as -1. Kept for callers that build OCI rule lists.
 */
export const ALLOWED_DEVICE_RULES: readonly OciDeviceCgroupRule[] = DEFAULT_DEVICE_RULES.map((d) => ({
  allow: d.allow,
  type: d.type,
  major: d.major === '*' ? -1 : d.major,
  minor: d.minor === '*' ? -1 : d.minor,
  access: d.access,
}));

/** Options of {@link toCgroupResources}. */
export interface ToCgroupResourcesOptions {
  /** The config's `linux.devices`: a default rule for a node the config creates itself (same path) is left out, as runc does. */
  linuxDevices?: readonly Pick<OciDevice, 'path'>[];
  /**
   * Whether the host enforces device rules through files (a cgroup v1
   * `devices` controller). true (default): the container always gets
   * deny-all, its own rules, then the defaults, as with runc. false (a pure
   * v2 host, where rules need eBPF): rules only when the config has
   * `linux.resources.devices`, which `@kc/cgroups` then refuses as
   * UNSUPPORTED instead of dropping.
   */
  deviceCgroup?: boolean;
}

/** One OCI device rule as `@kc/cgroups`' {@link DeviceRule} (absent or -1 numbers are wildcards, no type is `a`). */
export function toDeviceRule(rule: OciDeviceCgroupRule): DeviceRule {
  const n = (v: number | null | undefined): number | '*' => (v === undefined || v === null || v < 0 ? '*' : v);
  return { allow: rule.allow, type: rule.type ?? 'a', major: n(rule.major), minor: n(rule.minor), access: rule.access ?? 'rwm' };
}

/** OCI's -1 ("unlimited") as a cgroup {@link Limit}. */
const limit = (v: number): Limit => (v < 0 ? 'max' : v);

/**
 * Translates OCI `linux.resources` (runtime-spec config-linux.md) into
 * `@kc/cgroups`' version-neutral {@link Resources}; `@kc/cgroups` then writes
 * each field to the v1 or v2 file of whichever hierarchy holds its
 * controller, with runc's conversions (shares → weight, blkio → io weight).
 * OCI's `memory.swap` counts memory + swap (v1 memsw), so it becomes
 * `swapMax = swap − limit`. Device rules are runc 1.1's: deny all, the
 * config's `devices` rules in order, then the default allow-list (less the
 * entries whose node `linux.devices` replaces), whether or not the config
 * has rules (see {@link ToCgroupResourcesOptions.deviceCgroup}). As with
 * runc, `linux.devices` entries get no rule of their own: allow them in
 * `linux.resources.devices`. Pure.
 *
 * Not translated: `memory.kernel`/`kernelTCP` (gone from the kernel),
 * `cpu.realtime*`; `unified` is reported by {@link untranslatedResources},
 * and `network` refused by validation (it fails closed).
 * `memory.disableOOMKiller` becomes v1 `memory.oom_control` (on cgroup v2
 * `@kc/cgroups` refuses it as UNSUPPORTED, as there is no such file).
 */
export function toCgroupResources(resources: OciResources | undefined, options: ToCgroupResourcesOptions = {}): Resources {
  const out: Resources = {};
  const r = resources ?? {};
  const m = r.memory;
  if (m) {
    const memory: NonNullable<Resources['memory']> = {};
    if (m.limit !== undefined) memory.max = limit(m.limit);
    if (m.reservation !== undefined && m.reservation >= 0) memory.low = m.reservation;
    if (m.swap !== undefined) {
      memory.swapMax = m.swap < 0 || m.limit === undefined || m.limit < 0 ? 'max' : Math.max(0, m.swap - m.limit);
    }
    if (m.swappiness !== undefined) memory.swappiness = m.swappiness;
    if (m.disableOOMKiller) memory.oomKillDisable = true;
    if (Object.keys(memory).length) out.memory = memory;
  }
  const c = r.cpu;
  if (c) {
    const cpu: NonNullable<Resources['cpu']> = {};
    if (c.shares !== undefined) cpu.shares = c.shares;
    if (c.quota !== undefined) cpu.quota = c.quota <= 0 ? 'max' : c.quota;
    if (c.period !== undefined) cpu.period = c.period;
    if (c.idle !== undefined) cpu.idle = c.idle !== 0;
    if (Object.keys(cpu).length) out.cpu = cpu;
    if (c.cpus || c.mems) out.cpuset = { ...(c.cpus ? { cpus: c.cpus } : {}), ...(c.mems ? { mems: c.mems } : {}) };
  }
  if (r.pids) out.pids = { max: r.pids.limit <= 0 ? 'max' : r.pids.limit };
  if (r.blockIO?.weight !== undefined) out.io = { blkioWeight: r.blockIO.weight };
  if (r.hugepageLimits?.length) out.hugetlb = Object.fromEntries(r.hugepageLimits.map((h) => [h.pageSize, limit(h.limit)]));
  // runc's CreateCgroupConfig: the config's rules, then the defaults, on top of deny-all; with no rules, the defaults alone (never the parent's allow-all).
  if (options.deviceCgroup !== false || r.devices) {
    out.devices = withDefaultDeviceRules((r.devices ?? []).map(toDeviceRule), { replacedPaths: (options.linuxDevices ?? []).map((d) => d.path) });
  }
  return out;
}

/** Fields of `linux.resources` that {@link toCgroupResources} cannot express through `@kc/cgroups` (JSON paths). Pure. */
export function untranslatedResources(resources: OciResources | undefined): string[] {
  const out: string[] = [];
  if (resources?.unified && Object.keys(resources.unified).length) out.push('linux.resources.unified');
  return out;
}
