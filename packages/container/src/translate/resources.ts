import type { DeviceRule, Limit, Resources } from '@kc/cgroups';
import type { OciDeviceCgroupRule, OciResources } from '../oci/types.js';

/**
 * Devices every container may use whatever its rules say (runc's
 * `AllowedDevices`): mknod of anything, the default nodes, ptys.
 */
export const ALLOWED_DEVICE_RULES: readonly OciDeviceCgroupRule[] = [
  { allow: true, type: 'c', major: -1, minor: -1, access: 'm' },
  { allow: true, type: 'b', major: -1, minor: -1, access: 'm' },
  ...[
    [1, 3],
    [1, 5],
    [1, 7],
    [1, 8],
    [1, 9],
    [5, 0],
    [5, 1],
    [5, 2],
  ].map(([major, minor]) => ({ allow: true, type: 'c' as const, major, minor, access: 'rwm' })),
  { allow: true, type: 'c', major: 136, minor: -1, access: 'rwm' },
];

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
 * `swapMax = swap − limit`. With `devices` rules, runc's always-allowed
 * devices and the config's `linux.devices` are appended, in that order.
 * Pure.
 *
 * Not translated: `memory.kernel`/`kernelTCP` (gone from the kernel),
 * `cpu.realtime*`, `network`; `memory.disableOOMKiller` and `unified`
 * are reported by {@link untranslatedResources}.
 */
export function toCgroupResources(resources: OciResources | undefined, extraDevices: readonly OciDeviceCgroupRule[] = []): Resources {
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
  if (r.devices) out.devices = [...r.devices, ...ALLOWED_DEVICE_RULES, ...extraDevices].map(toDeviceRule);
  return out;
}

/** Fields of `linux.resources` that {@link toCgroupResources} cannot express through `@kc/cgroups` (JSON paths). Pure. */
export function untranslatedResources(resources: OciResources | undefined): string[] {
  const out: string[] = [];
  if (resources?.memory?.disableOOMKiller) out.push('linux.resources.memory.disableOOMKiller');
  if (resources?.unified && Object.keys(resources.unified).length) out.push('linux.resources.unified');
  return out;
}
