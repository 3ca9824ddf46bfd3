import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { type Any, AnySchema } from '@bufbuild/protobuf/wkt';
import type { ContainerStats } from '../internal/container-cgroup.js';
import { MetricsSchema } from './gen/github.com/containerd/cgroups/stats/v1/metrics_pb.js';
import { MetricsSchema as MetricsV2Schema } from './gen/github.com/containerd/cgroups/v2/stats/metrics_pb.js';

/** cgroup v1's metrics message is what `ctr task metrics` decodes from the runc shim on a v1 or hybrid host; kc fills what it reads. */
const MAX_UINT64 = (1n << 64n) - 1n;
const big = (n: number | undefined) => BigInt(Math.max(0, Math.trunc(n ?? 0)));

/** A task's cgroup statistics as the Any of a StatsResponse (io.containerd.cgroups.v1.Metrics). */
export function statsAny(s: ContainerStats): Any {
  const metrics = create(MetricsSchema, {
    pids: s.pids === undefined ? undefined : { current: big(s.pids), limit: s.pidsLimit === 'max' || s.pidsLimit === undefined ? 0n : big(s.pidsLimit) },
    cpu: s.cpuNanoseconds === undefined ? undefined : { usage: { total: big(s.cpuNanoseconds) } },
    memory:
      s.memoryBytes === undefined
        ? undefined
        : { usage: { usage: big(s.memoryBytes), limit: s.memoryLimitBytes === undefined ? MAX_UINT64 : big(s.memoryLimitBytes) } },
    memoryOomControl: s.oomKills === undefined ? undefined : { oomKill: big(s.oomKills) },
  });
  return create(AnySchema, { typeUrl: MetricsSchema.typeName, value: toBinary(MetricsSchema, metrics) });
}

/** What cgroup v2 reports beyond {@link ContainerStats}: `cpu.stat` user/system time and `memory.events` oom (cgroup-v2.rst). */
export interface V2Extras {
  /** `cpu.stat` user_usec. */
  userUsec?: number;
  /** `cpu.stat` system_usec. */
  systemUsec?: number;
  /** `memory.events` oom: times the group hit its limit and the OOM killer was invoked. */
  oom?: number;
}

/** `key value` lines (cpu.stat, memory.events) as a map. */
export function flatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out.set(k, Number(v));
  }
  return out;
}

/** Reads {@link V2Extras} from a cgroup v2 directory; a file missing (controller off) leaves its fields out. */
export function readV2Extras(dir: string): V2Extras {
  const read = (name: string) => {
    try {
      return flatKeyed(readFileSync(join(dir, name), 'utf8'));
    } catch {
      return new Map<string, number>();
    }
  };
  const cpu = read('cpu.stat');
  const events = read('memory.events');
  return { userUsec: cpu.get('user_usec'), systemUsec: cpu.get('system_usec'), oom: events.get('oom') };
}

/**
 * A task's statistics as io.containerd.cgroups.v2.Metrics, what containerd
 * (cgroups/v2/stats) expects from a shim whose task's cgroup is v2 only:
 * `ctr task metrics` decodes it by the Any's type and prints the v2 table.
 */
export function statsV2Any(s: ContainerStats, x: V2Extras): Any {
  const metrics = create(MetricsV2Schema, {
    pids: s.pids === undefined ? undefined : { current: big(s.pids), limit: s.pidsLimit === 'max' || s.pidsLimit === undefined ? 0n : big(s.pidsLimit) },
    cpu: s.cpuNanoseconds === undefined ? undefined : { usageUsec: big(s.cpuNanoseconds / 1000), userUsec: big(x.userUsec), systemUsec: big(x.systemUsec) },
    memory:
      s.memoryBytes === undefined
        ? undefined
        : { usage: big(s.memoryBytes), usageLimit: s.memoryLimitBytes === undefined ? MAX_UINT64 : big(s.memoryLimitBytes) },
    memoryEvents: s.oomKills === undefined && x.oom === undefined ? undefined : { oom: big(x.oom), oomKill: big(s.oomKills) },
  });
  return create(AnySchema, { typeUrl: MetricsV2Schema.typeName, value: toBinary(MetricsV2Schema, metrics) });
}

/**
 * The Stats answer for a task whose cgroup directories are `dirs` (kc's
 * record: `{ '': dir }` when the group is cgroup v2 only, one per v1
 * controller otherwise): v2 metrics for a v2-only group, v1 metrics else
 * (a hybrid host's v1 controllers, as runc's shim reports there).
 */
export function taskStatsAny(s: ContainerStats, dirs: Readonly<Record<string, string>>): Any {
  const keys = Object.keys(dirs);
  const unified = keys.length === 1 && keys[0] === '' ? dirs[''] : undefined;
  return unified ? statsV2Any(s, readV2Extras(unified)) : statsAny(s);
}
