import { blkioWeightToIoWeight, cpuSharesToWeight } from './conversions.js';
import { type CgroupFiles, type FileWrite, parseNestedKeyed, parseV2Limit, unsupportedOn, v2Limit } from './file-io.js';
import type { IoDeviceLimit, Limit, Resources } from './types.js';

const IO_KEYS = [
  ['readBps', 'rbps'],
  ['writeBps', 'wbps'],
  ['readIops', 'riops'],
  ['writeIops', 'wiops'],
] as const;

/**
 * Translates {@link Resources} into cgroup v2 file writes
 * (Documentation/admin-guide/cgroup-v2.rst), converting v1-scale inputs the
 * way runc and crun do. Pure: `files` is only read (for the current `cpu.max`
 * and which io weight file exists).
 *
 * @throws {@link CgroupError} `UNSUPPORTED` for v1-only knobs (swappiness) and
 *   device rules, which have no file on v2 (the v2 backend attaches an eBPF
 *   program for them instead).
 */
export function resourcesToV2(r: Resources, files: CgroupFiles): FileWrite[] {
  const w: FileWrite[] = [];
  const put = (controller: string, file: string, value: string) => w.push({ controller, file, value });
  const m = r.memory;
  if (m) {
    if (m.swappiness !== undefined) throw unsupportedOn(2, 'memory.swappiness', 'v2 has no per-cgroup swappiness; leave it unset');
    if (m.oomKillDisable)
      throw unsupportedOn(2, 'memory.oomKillDisable', 'v2 cannot turn the OOM killer off for a group; raise memory.max or set memory.high instead');
    if (m.min !== undefined) put('memory', 'memory.min', String(m.min));
    if (m.low !== undefined) put('memory', 'memory.low', String(m.low));
    if (m.high !== undefined) put('memory', 'memory.high', v2Limit(m.high));
    if (m.max !== undefined) put('memory', 'memory.max', v2Limit(m.max));
    if (m.swapMax !== undefined) put('memory', 'memory.swap.max', v2Limit(m.swapMax));
    if (m.oomGroup !== undefined) put('memory', 'memory.oom.group', m.oomGroup ? '1' : '0');
  }
  const c = r.cpu;
  if (c) {
    const weight = c.weight ?? (c.shares !== undefined ? cpuSharesToWeight(c.shares) : undefined);
    if (weight !== undefined && weight > 0) put('cpu', 'cpu.weight', String(weight));
    if (c.quota !== undefined || c.period !== undefined) {
      // cpu.max is "$MAX $PERIOD"; keep the current half that was not given.
      const [curQuota = 'max', curPeriod = '100000'] = (files.read('cpu', 'cpu.max') ?? '').trim().split(/\s+/);
      const quota = c.quota !== undefined ? v2Limit(c.quota) : curQuota;
      put('cpu', 'cpu.max', `${quota} ${c.period ?? curPeriod}`);
    }
    if (c.burst !== undefined) put('cpu', 'cpu.max.burst', String(c.burst));
    if (c.idle !== undefined) put('cpu', 'cpu.idle', c.idle ? '1' : '0');
  }
  if (r.cpuset?.cpus !== undefined) put('cpuset', 'cpuset.cpus', r.cpuset.cpus);
  if (r.cpuset?.mems !== undefined) put('cpuset', 'cpuset.mems', r.cpuset.mems);
  if (r.pids?.max !== undefined) put('pids', 'pids.max', v2Limit(r.pids.max));
  const io = r.io;
  if (io) {
    const weight = io.weight ?? (io.blkioWeight !== undefined ? blkioWeightToIoWeight(io.blkioWeight) : undefined);
    if (weight !== undefined) {
      const file = files.read('io', 'io.weight') !== undefined ? 'io.weight' : 'io.bfq.weight';
      put('io', file, `default ${weight}`);
    }
    for (const d of io.devices ?? []) {
      const fields = IO_KEYS.filter(([k]) => d[k] !== undefined).map(([k, f]) => `${f}=${v2Limit(d[k] as Limit)}`);
      if (fields.length) put('io', 'io.max', `${d.major}:${d.minor} ${fields.join(' ')}`);
    }
  }
  for (const [size, lim] of Object.entries(r.hugetlb ?? {})) put('hugetlb', `hugetlb.${size}.max`, v2Limit(lim));
  // Any list, even an empty one, asks for device control; v2 has no file for it, and writing nothing would leave every
  // device allowed. The v2 backend takes `devices` out and attaches an eBPF program instead (devices/attach.ts).
  if (r.devices !== undefined) throw unsupportedOn(2, 'devices', 'cgroup v2 controls devices with an eBPF program, not files: apply them through Cgroup');
  for (const [dev, lim] of Object.entries(r.rdma ?? {})) {
    const f = [
      lim.hcaHandle !== undefined ? `hca_handle=${v2Limit(lim.hcaHandle)}` : '',
      lim.hcaObject !== undefined ? `hca_object=${v2Limit(lim.hcaObject)}` : '',
    ];
    put('rdma', 'rdma.max', `${dev} ${f.filter(Boolean).join(' ')}`);
  }
  for (const [res, lim] of Object.entries(r.misc ?? {})) put('misc', 'misc.max', `${res} ${v2Limit(lim)}`);
  return w;
}

function num(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text.trim());
}

/**
 * Reads a v2 cgroup's configured limits back as {@link Resources}, for the
 * given controllers (only files that exist are reported; v2-native fields).
 */
export function v2ToResources(files: CgroupFiles, controllers: readonly string[]): Resources {
  const r: Resources = {};
  const read = (c: string, f: string) => files.read(c, f);
  if (controllers.includes('memory')) {
    const m: NonNullable<Resources['memory']> = {};
    const max = read('memory', 'memory.max');
    if (max !== undefined) m.max = parseV2Limit(max);
    const high = read('memory', 'memory.high');
    if (high !== undefined) m.high = parseV2Limit(high);
    const low = num(read('memory', 'memory.low'));
    if (low !== undefined) m.low = low;
    const min = num(read('memory', 'memory.min'));
    if (min !== undefined) m.min = min;
    const swap = read('memory', 'memory.swap.max');
    if (swap !== undefined) m.swapMax = parseV2Limit(swap);
    const oomGroup = read('memory', 'memory.oom.group');
    if (oomGroup !== undefined) m.oomGroup = oomGroup.trim() === '1';
    r.memory = m;
  }
  if (controllers.includes('cpu')) {
    const c: NonNullable<Resources['cpu']> = {};
    const weight = num(read('cpu', 'cpu.weight'));
    if (weight !== undefined) c.weight = weight;
    const max = read('cpu', 'cpu.max');
    if (max !== undefined) {
      const [q = 'max', p = '100000'] = max.trim().split(/\s+/);
      c.quota = parseV2Limit(q);
      c.period = Number(p);
    }
    const burst = num(read('cpu', 'cpu.max.burst'));
    if (burst !== undefined) c.burst = burst;
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
    if (max !== undefined) r.pids = { max: parseV2Limit(max) };
  }
  if (controllers.includes('io')) {
    const io: NonNullable<Resources['io']> = {};
    const wtext = read('io', 'io.weight') ?? read('io', 'io.bfq.weight');
    const def = wtext && /default\s+(\d+)/.exec(wtext);
    if (def) io.weight = Number(def[1]);
    const devices: IoDeviceLimit[] = [];
    for (const [key, rec] of parseNestedKeyed(read('io', 'io.max') ?? '')) {
      const [major, minor] = key.split(':').map(Number);
      const d: IoDeviceLimit = { major: major ?? 0, minor: minor ?? 0 };
      for (const [k, f] of IO_KEYS) if (rec[f] !== undefined) d[k] = rec[f];
      devices.push(d);
    }
    if (devices.length) io.devices = devices;
    r.io = io;
  }
  if (controllers.includes('hugetlb')) {
    const h: Record<string, Limit> = {};
    for (const f of files.list('hugetlb')) {
      const mm = /^hugetlb\.(\d+[KMG]B)\.max$/.exec(f);
      const text = mm && read('hugetlb', f);
      if (mm?.[1] && text !== undefined && text !== null && text !== '') h[mm[1]] = parseV2Limit(text);
    }
    r.hugetlb = h;
  }
  return r;
}
