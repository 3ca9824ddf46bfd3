/**
 * What `kc update` writes, read back from the host: the limit files (v1 and
 * v2 names) of the groups process `pid` is in, per /proc/<pid>/cgroup,
 * whichever hierarchy holds each controller. Shared by the update and podman tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The limit files update writes, v1 and v2 names: each one present is read. */
const FILES = [
  'memory.limit_in_bytes',
  'memory.memsw.limit_in_bytes',
  'memory.soft_limit_in_bytes',
  'memory.max',
  'memory.swap.max',
  'memory.low',
  'cpu.cfs_quota_us',
  'cpu.cfs_period_us',
  'cpu.shares',
  'cpu.max',
  'cpu.weight',
  'pids.max',
  'cpuset.cpus',
  'cpuset.mems',
];

const UNIFIED = existsSync('/sys/fs/cgroup/unified/cgroup.controllers') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup';

/** file name → value for every limit file of the groups process `pid` is in. */
export function cgroupLimits(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, ctrls, path] = line.split(':') as [string, string, string];
    if (ctrls.startsWith('name=')) continue;
    const dir = ctrls === '' ? join(UNIFIED, path) : join('/sys/fs/cgroup', ctrls, path);
    for (const f of FILES) {
      if (existsSync(join(dir, f))) out[f] = readFileSync(join(dir, f), 'utf8').trim();
    }
  }
  return out;
}
