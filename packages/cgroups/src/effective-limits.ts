import { join } from 'node:path';
import { KcErrorCode } from '@kc/native';
import { CgroupError } from './errors.js';
import { readCgroupFileIfAny } from './internal/fs.js';
import { parentPath } from './internal/paths.js';
import { relativeToMount, systemLayout } from './layout/detect.js';
import { cgroupPathsByKey, parseProcCgroup } from './layout/proc-cgroup.js';
import type { CgroupHierarchy, CgroupLayout } from './layout/types.js';
import { parseCpuList } from './resources/cpu-list.js';
import { parseV1Limit, parseV2Limit } from './resources/file-io.js';
import type { Limit } from './resources/types.js';

/** What a process can really use, after every enclosing cgroup's limit. */
export interface EffectiveLimits {
  /** The tightest memory limit in bytes on the way up, or `'max'`. */
  memoryLimit: Limit;
  /** The cgroup path whose limit is the tightest (undefined when unlimited). */
  memoryLimitFrom?: string;
  /** Physical memory of the machine (MemTotal), in bytes. */
  hostMemory: number;
  /** min(memoryLimit, hostMemory). */
  memoryAvailable: number;
  /** The tightest CPU quota as a number of CPUs (quota / period), or `'max'`. */
  cpuQuota: number | 'max';
  /** The cgroup path whose quota is the tightest. */
  cpuQuotaFrom?: string;
  /** CPUs the process may run on (its affinity, which the kernel keeps within its cpuset). */
  cpuList: number[];
  /** CPUs actually available: min(cpuList.length, cpuQuota), possibly fractional. */
  cpus: number;
  /** A worker count to use: ceil(cpus), at least 1. */
  parallelism: number;
}

interface Placed {
  hierarchy: CgroupHierarchy;
  path: string;
}

function placeOf(layout: CgroupLayout, controller: string, procCgroup: string): Placed | undefined {
  const h = layout.controllers.get(controller);
  if (!h) return undefined;
  const byKey = cgroupPathsByKey(parseProcCgroup(procCgroup));
  const raw = h.version === 2 ? byKey.get('') : byKey.get(h.controllers[0] ?? controller);
  return raw === undefined ? undefined : { hierarchy: h, path: relativeToMount(raw, h.mountRoot) };
}

/** Walks from `path` up to the mount's root, yielding each level's directory and path. */
function* upwards(layout: CgroupLayout, p: Placed): Generator<{ dir: string; path: string }> {
  const base = layout.fsRoot + p.hierarchy.mountPoint;
  for (let path = p.path; ; path = parentPath(path)) {
    yield { dir: path === '/' ? base : base + path, path };
    if (path === '/') return;
  }
}

/**
 * The limits a process really lives under: the tightest memory limit and CPU
 * quota of its cgroup and every ancestor, and the CPUs it may use. Works on
 * v1, v2 and hybrid (each controller read where it is mounted). Node's own
 * `os.availableParallelism()` ignores quotas; this does not.
 *
 * Privileges: none for the caller's own process; reading another user's
 * `/proc/PID/status` may need root.
 * @throws {@link CgroupError} `NOT_FOUND` when the process does not exist.
 * @example
 * ```ts
 * const { memoryAvailable, cpus, parallelism } = effectiveLimits();
 * ```
 */
export function effectiveLimits(pid: number | 'self' = 'self', layout: CgroupLayout = systemLayout()): EffectiveLimits {
  const procCgroup = readCgroupFileIfAny(`/proc/${pid}/cgroup`);
  const status = readCgroupFileIfAny(`/proc/${pid}/status`);
  if (procCgroup === undefined || status === undefined)
    throw new CgroupError(`process ${pid} does not exist`, {
      code: KcErrorCode.NotFound,
    });
  const meminfo = readCgroupFileIfAny('/proc/meminfo') ?? '';
  const hostMemory = Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0) * 1024;

  let memoryLimit: Limit = 'max';
  let memoryLimitFrom: string | undefined;
  const mem = placeOf(layout, 'memory', procCgroup);
  if (mem) {
    for (const { dir, path } of upwards(layout, mem)) {
      const text = readCgroupFileIfAny(join(dir, mem.hierarchy.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'));
      if (text === undefined) continue;
      const v = mem.hierarchy.version === 2 ? parseV2Limit(text) : parseV1Limit(text);
      if (v !== 'max' && (memoryLimit === 'max' || v < memoryLimit)) {
        memoryLimit = v;
        memoryLimitFrom = path;
      }
    }
  }

  let cpuQuota: number | 'max' = 'max';
  let cpuQuotaFrom: string | undefined;
  const cpu = placeOf(layout, 'cpu', procCgroup);
  if (cpu) {
    for (const { dir, path } of upwards(layout, cpu)) {
      let quota: number | undefined;
      let period: number | undefined;
      if (cpu.hierarchy.version === 2) {
        const [q, p] = (readCgroupFileIfAny(join(dir, 'cpu.max')) ?? 'max').trim().split(/\s+/);
        if (q !== 'max' && q !== undefined) [quota, period] = [Number(q), Number(p ?? 100000)];
      } else {
        const q = Number(readCgroupFileIfAny(join(dir, 'cpu.cfs_quota_us')) ?? -1);
        if (q > 0) [quota, period] = [q, Number(readCgroupFileIfAny(join(dir, 'cpu.cfs_period_us')) ?? 100000)];
      }
      if (quota !== undefined && period) {
        const cpus = quota / period;
        if (cpuQuota === 'max' || cpus < cpuQuota) {
          cpuQuota = cpus;
          cpuQuotaFrom = path;
        }
      }
    }
  }

  const cpuList = parseCpuList(/^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '') ?? [];
  const cpus = cpuQuota === 'max' ? cpuList.length : Math.min(cpuList.length, cpuQuota);
  const out: EffectiveLimits = {
    memoryLimit,
    hostMemory,
    memoryAvailable: memoryLimit === 'max' ? hostMemory : Math.min(memoryLimit, hostMemory),
    cpuQuota,
    cpuList,
    cpus,
    parallelism: Math.max(1, Math.ceil(cpus)),
  };
  if (memoryLimitFrom !== undefined) out.memoryLimitFrom = memoryLimitFrom;
  if (cpuQuotaFrom !== undefined) out.cpuQuotaFrom = cpuQuotaFrom;
  return out;
}
