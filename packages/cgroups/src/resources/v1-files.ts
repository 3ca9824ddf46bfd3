import { cpuWeightToShares, ioWeightToBlkioWeight, memswToSwap, swapToMemsw } from './conversions.js';
import { type CgroupFiles, type FileWrite, parseV1Limit, unsupportedOn, v1Limit } from './file-io.js';
import type { IoDeviceLimit, Limit, Resources } from './types.js';

const THROTTLE_FILES = [
  ['readBps', 'blkio.throttle.read_bps_device'],
  ['writeBps', 'blkio.throttle.write_bps_device'],
  ['readIops', 'blkio.throttle.read_iops_device'],
  ['writeIops', 'blkio.throttle.write_iops_device'],
] as const;

/**
 * Translates {@link Resources} into cgroup v1 file writes
 * (Documentation/admin-guide/cgroup-v1/), converting v2-scale inputs with the
 * inverse of the runc/crun conversions. `io` goes to the `blkio` controller.
 * Pure: `files` is only read (current limits, to order memory writes so the
 * kernel never sees memory+swap below memory).
 *
 * @throws {@link CgroupError} `UNSUPPORTED` for v2-only knobs (memory.high, memory.min, oomGroup, misc).
 */
export function resourcesToV1(r: Resources, files: CgroupFiles): FileWrite[] {
  const w: FileWrite[] = [];
  const put = (controller: string, file: string, value: string) => w.push({ controller, file, value });
  const m = r.memory;
  if (m) {
    if (m.high !== undefined && m.high !== 'max') throw unsupportedOn(1, 'memory.high', 'use memory.max on v1');
    if (m.min !== undefined && m.min !== 0) throw unsupportedOn(1, 'memory.min', 'use memory.low (soft limit) on v1');
    if (m.oomGroup) throw unsupportedOn(1, 'memory.oomGroup', 'v1 kills one task per OOM; use kill() after the OOM event');
    if (m.low !== undefined) put('memory', 'memory.soft_limit_in_bytes', String(m.low));
    if (m.swappiness !== undefined) put('memory', 'memory.swappiness', String(m.swappiness));
    if (m.oomKillDisable !== undefined) put('memory', 'memory.oom_control', m.oomKillDisable ? '1' : '0');
    const limit = m.max !== undefined ? v1Limit(m.max) : undefined;
    let memsw: string | undefined;
    if (m.swapMax !== undefined) {
      const base = m.max ?? parseV1Limit(files.read('memory', 'memory.limit_in_bytes') ?? '-1');
      memsw = v1Limit(swapToMemsw(base, m.swapMax));
    }
    // The kernel requires memory <= memory+swap at every moment: raise memsw
    // first when it grows, lower memory first otherwise (as runc does).
    const curMemsw = parseV1Limit(files.read('memory', 'memory.memsw.limit_in_bytes') ?? '-1');
    const grows = memsw !== undefined && (memsw === '-1' || (curMemsw !== 'max' && Number(memsw) > curMemsw));
    if (memsw !== undefined && grows) put('memory', 'memory.memsw.limit_in_bytes', memsw);
    if (limit !== undefined) put('memory', 'memory.limit_in_bytes', limit);
    if (memsw !== undefined && !grows) put('memory', 'memory.memsw.limit_in_bytes', memsw);
  }
  const c = r.cpu;
  if (c) {
    const shares = c.shares ?? (c.weight !== undefined ? cpuWeightToShares(c.weight) : undefined);
    if (shares !== undefined && shares > 0) put('cpu', 'cpu.shares', String(shares));
    if (c.period !== undefined) put('cpu', 'cpu.cfs_period_us', String(c.period));
    if (c.quota !== undefined) put('cpu', 'cpu.cfs_quota_us', v1Limit(c.quota));
    if (c.burst !== undefined) put('cpu', 'cpu.cfs_burst_us', String(c.burst));
    if (c.idle !== undefined) put('cpu', 'cpu.idle', c.idle ? '1' : '0');
  }
  if (r.cpuset?.cpus !== undefined) put('cpuset', 'cpuset.cpus', r.cpuset.cpus);
  if (r.cpuset?.mems !== undefined) put('cpuset', 'cpuset.mems', r.cpuset.mems);
  if (r.pids?.max !== undefined) put('pids', 'pids.max', r.pids.max === 'max' ? 'max' : String(r.pids.max));
  const io = r.io;
  if (io) {
    const weight = io.blkioWeight ?? (io.weight !== undefined ? ioWeightToBlkioWeight(io.weight) : undefined);
    if (weight !== undefined) {
      const file = files.read('blkio', 'blkio.weight') !== undefined ? 'blkio.weight' : 'blkio.bfq.weight';
      put('blkio', file, String(weight));
    }
    for (const d of io.devices ?? []) {
      for (const [k, file] of THROTTLE_FILES) {
        const v = d[k];
        // 0 removes a v1 throttle (blkio-controller.rst).
        if (v !== undefined) put('blkio', file, `${d.major}:${d.minor} ${v === 'max' ? 0 : v}`);
      }
    }
  }
  for (const [size, lim] of Object.entries(r.hugetlb ?? {})) put('hugetlb', `hugetlb.${size}.limit_in_bytes`, v1Limit(lim));
  for (const d of r.devices ?? []) {
    const rule = d.type === 'a' ? 'a' : `${d.type} ${d.major}:${d.minor} ${d.access}`;
    put('devices', d.allow ? 'devices.allow' : 'devices.deny', rule);
  }
  for (const [dev, lim] of Object.entries(r.rdma ?? {})) {
    const f = [lim.hcaHandle !== undefined ? `hca_handle=${lim.hcaHandle}` : '', lim.hcaObject !== undefined ? `hca_object=${lim.hcaObject}` : ''];
    put('rdma', 'rdma.max', `${dev} ${f.filter(Boolean).join(' ')}`);
  }
  if (r.misc && Object.keys(r.misc).length) for (const [res, lim] of Object.entries(r.misc)) put('misc', 'misc.max', `${res} ${lim}`);
  return w;
}

/**
 * Reads a v1 cgroup's configured limits back as {@link Resources} (v1-native
 * fields: `cpu.shares`, `io.blkioWeight`, swap as v2-style allowance).
 */
export function v1ToResources(files: CgroupFiles, controllers: readonly string[]): Resources {
  const r: Resources = {};
  const read = (c: string, f: string) => files.read(c, f);
  if (controllers.includes('memory')) {
    const m: NonNullable<Resources['memory']> = {};
    const max = parseV1Limit(read('memory', 'memory.limit_in_bytes') ?? '-1');
    m.max = max;
    const low = read('memory', 'memory.soft_limit_in_bytes');
    if (low !== undefined) {
      const l = parseV1Limit(low);
      m.low = l === 'max' ? 0 : l;
    }
    const memsw = read('memory', 'memory.memsw.limit_in_bytes');
    if (memsw !== undefined) m.swapMax = memswToSwap(max, parseV1Limit(memsw));
    const sw = read('memory', 'memory.swappiness');
    if (sw !== undefined) m.swappiness = Number(sw);
    const oom = read('memory', 'memory.oom_control');
    if (oom !== undefined) m.oomKillDisable = /^oom_kill_disable 1$/m.test(oom);
    r.memory = m;
  }
  if (controllers.includes('cpu')) {
    const c: NonNullable<Resources['cpu']> = {};
    const shares = read('cpu', 'cpu.shares');
    if (shares !== undefined) c.shares = Number(shares);
    const quota = read('cpu', 'cpu.cfs_quota_us');
    if (quota !== undefined) c.quota = parseV1Limit(quota);
    const period = read('cpu', 'cpu.cfs_period_us');
    if (period !== undefined) c.period = Number(period);
    const burst = read('cpu', 'cpu.cfs_burst_us');
    if (burst !== undefined) c.burst = Number(burst);
    const idle = read('cpu', 'cpu.idle');
    if (idle !== undefined) c.idle = idle.trim() === '1';
    r.cpu = c;
  }
  if (controllers.includes('cpuset')) {
    r.cpuset = {
      cpus: (read('cpuset', 'cpuset.cpus') ?? '').trim(),
      mems: (read('cpuset', 'cpuset.mems') ?? '').trim(),
    };
  }
  if (controllers.includes('pids')) {
    const max = read('pids', 'pids.max');
    if (max !== undefined) r.pids = { max: max.trim() === 'max' ? 'max' : Number(max) };
  }
  if (controllers.includes('blkio')) {
    const io: NonNullable<Resources['io']> = {};
    const wt = read('blkio', 'blkio.weight') ?? read('blkio', 'blkio.bfq.weight');
    const n = wt && /(?:default\s+)?(\d+)/.exec(wt);
    if (n) io.blkioWeight = Number(n[1]);
    const byDev = new Map<string, IoDeviceLimit>();
    for (const [k, file] of THROTTLE_FILES) {
      for (const line of (read('blkio', file) ?? '').split('\n')) {
        const mm = /^(\d+):(\d+)\s+(\d+)/.exec(line.trim());
        if (!mm) continue;
        const key = `${mm[1]}:${mm[2]}`;
        const d = byDev.get(key) ?? {
          major: Number(mm[1]),
          minor: Number(mm[2]),
        };
        d[k] = Number(mm[3]);
        byDev.set(key, d);
      }
    }
    if (byDev.size) io.devices = [...byDev.values()];
    r.io = io;
  }
  if (controllers.includes('hugetlb')) {
    const h: Record<string, Limit> = {};
    for (const f of files.list('hugetlb')) {
      const mm = /^hugetlb\.(\d+[KMG]B)\.limit_in_bytes$/.exec(f);
      const text = mm ? read('hugetlb', f) : undefined;
      if (mm?.[1] && text !== undefined) h[mm[1]] = parseV1Limit(text);
    }
    r.hugetlb = h;
  }
  return r;
}
