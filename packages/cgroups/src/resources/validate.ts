import { invalidArgument } from '@kc/native';
import { CgroupError } from '../errors.js';
import { BLKIO_WEIGHT_MAX, BLKIO_WEIGHT_MIN, CPU_SHARES_MAX, CPU_SHARES_MIN, CPU_WEIGHT_MAX, CPU_WEIGHT_MIN } from './conversions.js';
import { formatCpuList, parseCpuList } from './cpu-list.js';
import type { Resources } from './types.js';

/** What the machine offers, for checks that depend on it. */
export interface MachineFacts {
  /** Online CPUs (`/sys/devices/system/cpu/online`), e.g. `0-1`. */
  onlineCpus: string;
  /** Online memory nodes (`/sys/devices/system/node/online`), e.g. `0`. */
  onlineMems: string;
}

const KNOWN: Record<string, readonly string[]> = {
  memory: ['max', 'high', 'low', 'min', 'swapMax', 'swappiness', 'oomGroup', 'oomKillDisable'],
  cpu: ['weight', 'shares', 'quota', 'period', 'burst', 'idle'],
  cpuset: ['cpus', 'mems'],
  pids: ['max'],
  io: ['weight', 'blkioWeight', 'devices'],
  hugetlb: [],
  devices: [],
  rdma: [],
  misc: [],
};

function bad(field: string, problem: string, hint?: string): CgroupError {
  return invalidArgument(CgroupError, field, problem, hint);
}

function checkInt(field: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(field, `must be an integer, got ${String(v)}`);
  if (v < min) throw bad(field, v < 0 ? `must not be negative, got ${v}` : `must be at least ${min}, got ${v}`);
  if (v > max) throw bad(field, `must be at most ${max}, got ${v}`);
}

function checkLimit(field: string, v: unknown, min = 0): void {
  if (v === 'max') return;
  checkInt(field, v, min);
}

function checkList(field: string, v: unknown, online: string): void {
  if (typeof v !== 'string') throw bad(field, 'must be a list such as "0-3,6"');
  const ids = parseCpuList(v);
  if (!ids) throw bad(field, `"${v}" is not a cpuset list`, 'use the cpuset(7) list format, e.g. "0-3,6"');
  const have = new Set(parseCpuList(online) ?? []);
  const outside = ids.filter((i) => !have.has(i));
  // As ranges ("2-99"), the way the kernel prints cpu lists: one by one, a 100-CPU request on a 2-CPU machine is 98 numbers.
  if (outside.length) throw bad(field, `${formatCpuList(outside)} not online on this machine (online: ${online.trim()})`);
}

function checkRecordLimits(field: string, rec: unknown, keyPattern: RegExp): void {
  if (typeof rec !== 'object' || rec === null) throw bad(field, 'must be an object');
  for (const [k, v] of Object.entries(rec)) {
    if (!keyPattern.test(k)) throw bad(`${field}.${k}`, 'is not a valid name');
    checkLimit(`${field}.${k}`, v);
  }
}

/**
 * Checks a {@link Resources} object before anything is written: unknown
 * controllers or fields, negative or out-of-range numbers, cpusets outside
 * the machine. Version support (a v2-only knob on v1) is checked when the
 * object is translated, still before any write.
 *
 * @throws {@link CgroupError} `INVALID_ARGUMENT` naming the field.
 */
export function validateResources(r: Resources, machine: MachineFacts): void {
  if (typeof r !== 'object' || r === null) throw bad('resources', 'must be an object');
  for (const [key, value] of Object.entries(r)) {
    const known = KNOWN[key];
    if (!known) throw bad(`resources.${key}`, 'is not a known controller', `use one of ${Object.keys(KNOWN).join(', ')}`);
    if (value === undefined) continue;
    if (known.length && (typeof value !== 'object' || value === null)) throw bad(`resources.${key}`, 'must be an object');
    if (known.length) for (const f of Object.keys(value)) if (!known.includes(f)) throw bad(`resources.${key}.${f}`, 'is not a known field');
  }
  const m = r.memory;
  if (m) {
    if (m.max !== undefined) checkLimit('memory.max', m.max);
    if (m.high !== undefined) checkLimit('memory.high', m.high);
    if (m.low !== undefined) checkInt('memory.low', m.low, 0);
    if (m.min !== undefined) checkInt('memory.min', m.min, 0);
    if (m.swapMax !== undefined) checkLimit('memory.swapMax', m.swapMax);
    if (m.swappiness !== undefined) checkInt('memory.swappiness', m.swappiness, 0, 100);
    if (m.oomGroup !== undefined && typeof m.oomGroup !== 'boolean') throw bad('memory.oomGroup', 'must be a boolean');
    if (m.oomKillDisable !== undefined && typeof m.oomKillDisable !== 'boolean') throw bad('memory.oomKillDisable', 'must be a boolean');
  }
  const c = r.cpu;
  if (c) {
    if (c.weight !== undefined && c.shares !== undefined) throw bad('cpu', 'give weight or shares, not both');
    if (c.weight !== undefined) checkInt('cpu.weight', c.weight, CPU_WEIGHT_MIN, CPU_WEIGHT_MAX);
    if (c.shares !== undefined) checkInt('cpu.shares', c.shares, CPU_SHARES_MIN, CPU_SHARES_MAX);
    if (c.quota !== undefined) checkLimit('cpu.quota', c.quota, 1000);
    if (c.period !== undefined) checkInt('cpu.period', c.period, 1000, 1_000_000);
    if (c.burst !== undefined) checkInt('cpu.burst', c.burst, 0);
    if (c.idle !== undefined && typeof c.idle !== 'boolean') throw bad('cpu.idle', 'must be a boolean');
  }
  if (r.cpuset?.cpus !== undefined) checkList('cpuset.cpus', r.cpuset.cpus, machine.onlineCpus);
  if (r.cpuset?.mems !== undefined) checkList('cpuset.mems', r.cpuset.mems, machine.onlineMems);
  if (r.pids?.max !== undefined) checkLimit('pids.max', r.pids.max);
  const io = r.io;
  if (io) {
    if (io.weight !== undefined && io.blkioWeight !== undefined) throw bad('io', 'give weight or blkioWeight, not both');
    if (io.weight !== undefined) checkInt('io.weight', io.weight, 1, 10000);
    if (io.blkioWeight !== undefined) checkInt('io.blkioWeight', io.blkioWeight, BLKIO_WEIGHT_MIN, BLKIO_WEIGHT_MAX);
    (io.devices ?? []).forEach((d, i) => {
      const f = `io.devices[${i}]`;
      checkInt(`${f}.major`, d.major, 0);
      checkInt(`${f}.minor`, d.minor, 0);
      for (const k of ['readBps', 'writeBps', 'readIops', 'writeIops'] as const) if (d[k] !== undefined) checkLimit(`${f}.${k}`, d[k]);
    });
  }
  if (r.hugetlb) checkRecordLimits('hugetlb', r.hugetlb, /^\d+[KMG]B$/);
  if (r.misc) checkRecordLimits('misc', r.misc, /^[a-z0-9_]+$/);
  if (r.rdma) {
    for (const [dev, lim] of Object.entries(r.rdma)) {
      if (!/^[\w.-]+$/.test(dev)) throw bad(`rdma.${dev}`, 'is not a device name');
      if (lim.hcaHandle !== undefined) checkLimit(`rdma.${dev}.hcaHandle`, lim.hcaHandle);
      if (lim.hcaObject !== undefined) checkLimit(`rdma.${dev}.hcaObject`, lim.hcaObject);
    }
  }
  (r.devices ?? []).forEach((d, i) => {
    const f = `devices[${i}]`;
    if (!['a', 'b', 'c'].includes(d.type)) throw bad(`${f}.type`, 'must be a, b or c');
    if (d.major !== '*') checkInt(`${f}.major`, d.major, 0);
    if (d.minor !== '*') checkInt(`${f}.minor`, d.minor, 0);
    if (!/^[rwm]{1,3}$/.test(d.access)) throw bad(`${f}.access`, 'must be made of r, w, m');
  });
}
