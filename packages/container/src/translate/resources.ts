import type { OciDeviceCgroupRule, OciResources } from '../oci/types.js';

/** One write to a cgroup control file: `controller` is the v1 hierarchy (`memory`) or `''` for the v2 directory. */
export interface CgroupWrite {
  controller: string;
  file: string;
  value: string;
  /** Skip silently when the file does not exist (optional features such as memsw). */
  optional?: boolean;
}

/**
 * Devices every container may use whatever its rules say (runc's
 * `AllowedDevices`): mknod of anything, the default nodes, ptys.
 */
export const ALLOWED_DEVICE_RULES: readonly OciDeviceCgroupRule[] = [
  { allow: true, type: 'c', major: -1, minor: -1, access: 'm' },
  { allow: true, type: 'b', major: -1, minor: -1, access: 'm' },
  ...[[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2]].map(([major, minor]) => ({ allow: true, type: 'c' as const, major, minor, access: 'rwm' })),
  { allow: true, type: 'c', major: 136, minor: -1, access: 'rwm' },
];

/** A devices-cgroup rule in the v1 `devices.allow` syntax (`c 1:3 rwm`). */
export function deviceRuleText(rule: OciDeviceCgroupRule): string {
  const n = (v: number | null | undefined) => (v === undefined || v === null || v < 0 ? '*' : String(v));
  const type = rule.type ?? 'a';
  if (type === 'a' && rule.major == null && rule.minor == null) return 'a';
  return `${type} ${n(rule.major)}:${n(rule.minor)} ${rule.access ?? 'rwm'}`;
}

/** cgroup v1 `cpu.shares` → v2 `cpu.weight` (the conversion runc and crun use). */
export function sharesToWeight(shares: number): number {
  return Math.round(1 + ((shares - 2) * 9999) / 262142);
}

/**
 * Translates `linux.resources` into control-file writes for cgroup v1
 * hierarchies (hybrid and legacy hosts) or one v2 directory. Pure; the order
 * is the order to write them in.
 */
export function resourceWrites(resources: OciResources | undefined, version: 1 | 2, extraDevices: OciDeviceCgroupRule[] = []): CgroupWrite[] {
  const w: CgroupWrite[] = [];
  const r = resources ?? {};
  const mem = r.memory;
  const cpu = r.cpu;
  const lim = (v: number) => (v === -1 ? (version === 1 ? '-1' : 'max') : String(v));
  if (version === 1) {
    if (mem?.limit !== undefined) w.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: lim(mem.limit) });
    if (mem?.swap !== undefined) w.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: lim(mem.swap), optional: true });
    if (mem?.reservation !== undefined) w.push({ controller: 'memory', file: 'memory.soft_limit_in_bytes', value: lim(mem.reservation) });
    if (mem?.swappiness !== undefined) w.push({ controller: 'memory', file: 'memory.swappiness', value: String(mem.swappiness), optional: true });
    if (mem?.disableOOMKiller) w.push({ controller: 'memory', file: 'memory.oom_control', value: '1' });
    if (cpu?.shares !== undefined) w.push({ controller: 'cpu', file: 'cpu.shares', value: String(cpu.shares) });
    if (cpu?.period !== undefined) w.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(cpu.period) });
    if (cpu?.quota !== undefined) w.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(cpu.quota) });
    if (cpu?.cpus) w.push({ controller: 'cpuset', file: 'cpuset.cpus', value: cpu.cpus });
    if (cpu?.mems) w.push({ controller: 'cpuset', file: 'cpuset.mems', value: cpu.mems });
    if (r.pids) w.push({ controller: 'pids', file: 'pids.max', value: r.pids.limit <= 0 ? 'max' : String(r.pids.limit) });
    if (r.blockIO?.weight !== undefined) w.push({ controller: 'blkio', file: 'blkio.weight', value: String(r.blockIO.weight), optional: true });
    if (r.devices) {
      for (const d of [...r.devices, ...ALLOWED_DEVICE_RULES, ...extraDevices]) {
        w.push({ controller: 'devices', file: d.allow ? 'devices.allow' : 'devices.deny', value: deviceRuleText(d) });
      }
    }
    return w;
  }
  if (mem?.limit !== undefined) w.push({ controller: '', file: 'memory.max', value: lim(mem.limit) });
  if (mem?.reservation !== undefined) w.push({ controller: '', file: 'memory.low', value: lim(mem.reservation) });
  if (mem?.swap !== undefined) {
    const swap = mem.swap === -1 || mem.limit === undefined || mem.limit === -1 ? 'max' : String(Math.max(0, mem.swap - mem.limit));
    w.push({ controller: '', file: 'memory.swap.max', value: swap, optional: true });
  }
  if (cpu?.shares !== undefined) w.push({ controller: '', file: 'cpu.weight', value: String(sharesToWeight(cpu.shares)) });
  if (cpu?.quota !== undefined || cpu?.period !== undefined) {
    const quota = cpu?.quota === undefined || cpu.quota <= 0 ? 'max' : String(cpu.quota);
    w.push({ controller: '', file: 'cpu.max', value: `${quota} ${cpu?.period ?? 100000}` });
  }
  if (cpu?.cpus) w.push({ controller: '', file: 'cpuset.cpus', value: cpu.cpus });
  if (cpu?.mems) w.push({ controller: '', file: 'cpuset.mems', value: cpu.mems });
  if (r.pids) w.push({ controller: '', file: 'pids.max', value: r.pids.limit <= 0 ? 'max' : String(r.pids.limit) });
  for (const [file, value] of Object.entries(r.unified ?? {})) w.push({ controller: '', file, value });
  return w;
}
