/**
 * {@link Resources} as systemd unit properties (systemd.resource-control(5);
 * the D-Bus types of org.freedesktop.systemd1(5)), the way runc's
 * libcontainer/cgroups/systemd/v2.go maps them, and the rest that systemd has
 * no property for, which the driver writes to the delegated cgroup's files.
 * Pure.
 */
import { cpuSharesToWeight, blkioWeightToIoWeight } from '../resources/conversions.js';
import { parseCpuList } from '../resources/cpu-list.js';
import type { Limit, Resources } from '../resources/types.js';
import { invalidArgument } from '@kc/native';
import { CgroupError } from '../errors.js';
import { deviceAllowProperties } from './device-properties.js';

/** One unit property: name, D-Bus signature, and the value in that type (`t` as bigint, `ay` as a Buffer). */
export interface UnitProperty {
  /** Property name, e.g. `MemoryMax`. */
  readonly name: string;
  /** D-Bus signature of the value, e.g. `t`. */
  readonly type: string;
  /** The value. */
  readonly value: unknown;
}

/** systemd's "infinity" for u64 properties (UINT64_MAX: CGROUP_LIMIT_MAX, USEC_INFINITY). */
export const UINT64_INFINITY = 0xffff_ffff_ffff_ffffn;

const u64 = (v: Limit): bigint => (v === 'max' ? UINT64_INFINITY : BigInt(v));
const prop = (name: string, type: string, value: unknown): UnitProperty => ({ name, type, value });

/**
 * A cpuset list (`0-2,5`) as systemd's bitmask bytes for `AllowedCPUs` and
 * `AllowedMemoryNodes`: bit `n % 8` of byte `n / 8` for each listed `n`
 * (runc's RangeToBits; systemd's cpu_set_from_dbus).
 *
 * @throws {@link CgroupError} `INVALID_ARGUMENT` for a malformed or empty list.
 */
export function cpuListToMask(list: string, field: string): Buffer {
  const ids = parseCpuList(list);
  if (!ids || ids.length === 0) throw invalidArgument(CgroupError, field, `"${list}" is not a non-empty cpuset list`, 'e.g. 0-1,3');
  const out = Buffer.alloc(Math.floor((ids[ids.length - 1] as number) / 8) + 1);
  for (const id of ids) out[id >> 3] = (out[id >> 3] as number) | (1 << (id & 7));
  return out;
}

/**
 * CPU bandwidth as systemd takes it: `CPUQuotaPerSecUSec` is CPU time per
 * wall-clock second. systemd keeps it in 10 ms steps (1 % of a CPU), so a
 * quota that is not a multiple is rounded up, as runc does, and the quota
 * systemd will write to `cpu.max` is returned with it.
 */
export function cpuQuotaPerSec(quota: number, periodUs: number): { perSecUs: bigint; quotaUs: number } {
  let perSec = Math.floor((quota * 1_000_000) / periodUs);
  if (perSec % 10_000 !== 0) perSec = (Math.floor(perSec / 10_000) + 1) * 10_000;
  return { perSecUs: BigInt(perSec), quotaUs: Math.floor((perSec * periodUs) / 1_000_000) };
}

/** The result of {@link unitProperties}. */
export interface TranslatedResources {
  /** Properties for `StartTransientUnit` / `SetUnitProperties`. */
  readonly properties: UnitProperty[];
  /** What systemd has no property for, for the cgroup files (empty objects dropped). */
  readonly rest: Resources;
}

/**
 * Splits `r` into systemd properties and the rest. Known to systemd:
 * memory max/high/low/min/swap, CPU weight and quota/period, cpuset CPUs and
 * memory nodes, tasks max, IO weight, device policy and allow-list (when
 * systemd can express the rules; else the rules go to `rest` too, so kc's
 * own eBPF program makes them exact: the kernel allows an access only when
 * every attached program does). `pids.max` 0 goes to the file (systemd takes
 * no `TasksMax=0`). Pure.
 */
export function unitProperties(r: Resources): TranslatedResources {
  const p: UnitProperty[] = [];
  const rest: Resources = {};
  const m = r.memory;
  if (m) {
    if (m.max !== undefined) p.push(prop('MemoryMax', 't', u64(m.max)));
    if (m.high !== undefined) p.push(prop('MemoryHigh', 't', u64(m.high)));
    if (m.low !== undefined) p.push(prop('MemoryLow', 't', u64(m.low)));
    if (m.min !== undefined) p.push(prop('MemoryMin', 't', u64(m.min)));
    if (m.swapMax !== undefined) p.push(prop('MemorySwapMax', 't', u64(m.swapMax)));
    const { swappiness, oomGroup } = m;
    if (swappiness !== undefined || oomGroup !== undefined)
      rest.memory = { ...(swappiness !== undefined ? { swappiness } : {}), ...(oomGroup !== undefined ? { oomGroup } : {}) };
  }
  const c = r.cpu;
  if (c) {
    const weight = c.weight ?? (c.shares !== undefined ? cpuSharesToWeight(c.shares) : undefined);
    if (weight !== undefined) p.push(prop('CPUWeight', 't', BigInt(weight)));
    if (c.period !== undefined) p.push(prop('CPUQuotaPeriodUSec', 't', BigInt(c.period)));
    if (c.quota !== undefined)
      p.push(prop('CPUQuotaPerSecUSec', 't', c.quota === 'max' ? UINT64_INFINITY : cpuQuotaPerSec(c.quota, c.period ?? 100_000).perSecUs));
    const { burst, idle } = c;
    if (burst !== undefined || idle !== undefined) rest.cpu = { ...(burst !== undefined ? { burst } : {}), ...(idle !== undefined ? { idle } : {}) };
  }
  if (r.cpuset?.cpus !== undefined) p.push(prop('AllowedCPUs', 'ay', cpuListToMask(r.cpuset.cpus, 'cpuset.cpus')));
  if (r.cpuset?.mems !== undefined) p.push(prop('AllowedMemoryNodes', 'ay', cpuListToMask(r.cpuset.mems, 'cpuset.mems')));
  if (r.pids?.max !== undefined) {
    if (r.pids.max === 0) rest.pids = { max: 0 };
    else p.push(prop('TasksMax', 't', u64(r.pids.max)));
  }
  const io = r.io;
  if (io) {
    const weight = io.weight ?? (io.blkioWeight !== undefined ? blkioWeightToIoWeight(io.blkioWeight) : undefined);
    if (weight !== undefined) p.push(prop('IOWeight', 't', BigInt(weight)));
    if (io.devices !== undefined) rest.io = { devices: io.devices };
  }
  if (r.devices !== undefined) {
    const d = deviceAllowProperties(r.devices);
    p.push(...d.properties);
    if (!d.exact) rest.devices = r.devices;
  }
  if (r.hugetlb !== undefined) rest.hugetlb = r.hugetlb;
  if (r.rdma !== undefined) rest.rdma = r.rdma;
  if (r.misc !== undefined) rest.misc = r.misc;
  return { properties: p, rest };
}
