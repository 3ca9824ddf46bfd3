import { type CgroupFiles, parseFlatKeyed, parseNestedKeyed, parseV2Limit } from '../resources/file-io.js';
import type { CgroupStats, HugetlbStats } from './types.js';

const n = (v: number | undefined) => v ?? 0;

/** Reads cgroup v2 statistics (cgroup-v2.rst: cpu.stat, memory.*, pids.*, io.stat, hugetlb.*). */
export function readV2Stats(files: CgroupFiles, has: (controller: string) => boolean): CgroupStats {
  const out: CgroupStats = {};
  const read = (c: string, f: string) => files.read(c, f);
  const cpuStat = read('', 'cpu.stat');
  if (cpuStat !== undefined) {
    const s = parseFlatKeyed(cpuStat);
    out.cpu = {
      usageUsec: n(s.usage_usec),
      userUsec: n(s.user_usec),
      systemUsec: n(s.system_usec),
      nrPeriods: n(s.nr_periods),
      nrThrottled: n(s.nr_throttled),
      throttledUsec: n(s.throttled_usec),
    };
  }
  if (has('memory')) {
    const events = parseFlatKeyed(read('memory', 'memory.events') ?? '');
    const peak = read('memory', 'memory.peak');
    out.memory = {
      usage: Number(read('memory', 'memory.current') ?? 0),
      limit: parseV2Limit(read('memory', 'memory.max') ?? 'max'),
      failcnt: n(events.max),
      oomKills: n(events.oom_kill),
      events,
      stat: parseFlatKeyed(read('memory', 'memory.stat') ?? ''),
      ...(peak !== undefined ? { peak: Number(peak) } : {}),
    };
  }
  if (has('pids')) {
    out.pids = {
      current: Number(read('pids', 'pids.current') ?? 0),
      max: parseV2Limit(read('pids', 'pids.max') ?? 'max'),
      limitHits: n(parseFlatKeyed(read('pids', 'pids.events') ?? '').max),
    };
  }
  if (has('io')) {
    out.io = [...parseNestedKeyed(read('io', 'io.stat') ?? '')].map(([key, f]) => {
      const [major = 0, minor = 0] = key.split(':').map(Number);
      const num = (k: string) => (typeof f[k] === 'number' ? (f[k] as number) : 0);
      return {
        major,
        minor,
        readBytes: num('rbytes'),
        writeBytes: num('wbytes'),
        readOps: num('rios'),
        writeOps: num('wios'),
      };
    });
  }
  if (has('hugetlb')) {
    const h: Record<string, HugetlbStats> = {};
    for (const f of files.list('hugetlb')) {
      const m = /^hugetlb\.(\d+[KMG]B)\.current$/.exec(f);
      if (!m?.[1]) continue;
      const size = m[1];
      h[size] = {
        usage: Number(read('hugetlb', f) ?? 0),
        limit: parseV2Limit(read('hugetlb', `hugetlb.${size}.max`) ?? 'max'),
        failcnt: n(parseFlatKeyed(read('hugetlb', `hugetlb.${size}.events`) ?? '').max),
      };
    }
    out.hugetlb = h;
  }
  return out;
}
