import { create, toBinary } from '@bufbuild/protobuf';
import { type Any, AnySchema } from '@bufbuild/protobuf/wkt';
import type { ContainerStats } from '../internal/container-cgroup.js';
import { MetricsSchema } from './gen/github.com/containerd/cgroups/stats/v1/metrics_pb.js';

/** cgroup v1's metrics message is what `ctr task metrics` decodes from the runc shim on a v1 or hybrid host; kc fills what it reads. */
const MAX_UINT64 = (1n << 64n) - 1n;

/** A task's cgroup statistics as the Any of a StatsResponse (io.containerd.cgroups.v1.Metrics). */
export function statsAny(s: ContainerStats): Any {
  const big = (n: number | undefined) => BigInt(Math.max(0, Math.trunc(n ?? 0)));
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
