import { type CgroupFiles, parseFlatKeyed, parseV1Limit } from '../resources/file-io.js';
import type { CgroupStats, HugetlbStats, IoDeviceStats } from './types.js';

const n = (v: number | undefined) => v ?? 0;
/** cpuacct.stat counts USER_HZ ticks (cgroup-v1/cpuacct.rst); USER_HZ is 100 on every Linux ABI. */
const USEC_PER_TICK = 10_000;

/** Parses blkio `8:0 Read 123` lines into per-device totals. */
function blkioTotals(text: string, into: Map<string, IoDeviceStats>, bytes: boolean): void {
  for (const line of text.split('\n')) {
    const m = /^(\d+):(\d+)\s+(Read|Write)\s+(\d+)$/.exec(line.trim());
    if (!m) continue;
    const key = `${m[1]}:${m[2]}`;
    const d = into.get(key) ?? {
      major: Number(m[1]),
      minor: Number(m[2]),
      readBytes: 0,
      writeBytes: 0,
      readOps: 0,
      writeOps: 0,
    };
    const v = Number(m[4]);
    const read = m[3] === 'Read';
    if (bytes && read) d.readBytes = v;
    else if (bytes) d.writeBytes = v;
    else if (read) d.readOps = v;
    else d.writeOps = v;
    into.set(key, d);
  }
}

/** Reads cgroup v1 statistics (cpuacct, cpu.stat, memory, pids, blkio, hugetlb). */
export function readV1Stats(files: CgroupFiles, has: (controller: string) => boolean): CgroupStats {
  const out: CgroupStats = {};
  const read = (c: string, f: string) => files.read(c, f);
  if (has('cpuacct') || has('cpu')) {
    const acct = parseFlatKeyed(read('cpuacct', 'cpuacct.stat') ?? '');
    const throttle = parseFlatKeyed(read('cpu', 'cpu.stat') ?? '');
    out.cpu = {
      usageUsec: Math.floor(Number(read('cpuacct', 'cpuacct.usage') ?? 0) / 1000),
      userUsec: n(acct.user) * USEC_PER_TICK,
      systemUsec: n(acct.system) * USEC_PER_TICK,
      nrPeriods: n(throttle.nr_periods),
      nrThrottled: n(throttle.nr_throttled),
      throttledUsec: Math.floor(n(throttle.throttled_time) / 1000),
    };
  }
  if (has('memory')) {
    const oom = parseFlatKeyed(read('memory', 'memory.oom_control') ?? '');
    const failcnt = Number(read('memory', 'memory.failcnt') ?? 0);
    out.memory = {
      usage: Number(read('memory', 'memory.usage_in_bytes') ?? 0),
      peak: Number(read('memory', 'memory.max_usage_in_bytes') ?? 0),
      limit: parseV1Limit(read('memory', 'memory.limit_in_bytes') ?? '-1'),
      failcnt,
      oomKills: n(oom.oom_kill),
      events: {
        max: failcnt,
        oom_kill: n(oom.oom_kill),
        under_oom: n(oom.under_oom),
      },
      stat: parseFlatKeyed(read('memory', 'memory.stat') ?? ''),
    };
  }
  if (has('pids')) {
    const max = (read('pids', 'pids.max') ?? 'max').trim();
    out.pids = {
      current: Number(read('pids', 'pids.current') ?? 0),
      max: max === 'max' ? 'max' : Number(max),
      limitHits: n(parseFlatKeyed(read('pids', 'pids.events') ?? '').max),
    };
  }
  if (has('blkio')) {
    const devs = new Map<string, IoDeviceStats>();
    blkioTotals(read('blkio', 'blkio.throttle.io_service_bytes_recursive') ?? read('blkio', 'blkio.throttle.io_service_bytes') ?? '', devs, true);
    blkioTotals(read('blkio', 'blkio.throttle.io_serviced_recursive') ?? read('blkio', 'blkio.throttle.io_serviced') ?? '', devs, false);
    out.io = [...devs.values()];
  }
  if (has('hugetlb')) {
    const h: Record<string, HugetlbStats> = {};
    for (const f of files.list('hugetlb')) {
      const m = /^hugetlb\.(\d+[KMG]B)\.usage_in_bytes$/.exec(f);
      if (!m?.[1]) continue;
      const size = m[1];
      h[size] = {
        usage: Number(read('hugetlb', f) ?? 0),
        limit: parseV1Limit(read('hugetlb', `hugetlb.${size}.limit_in_bytes`) ?? '-1'),
        failcnt: Number(read('hugetlb', `hugetlb.${size}.failcnt`) ?? 0),
      };
    }
    out.hugetlb = h;
  }
  return out;
}
