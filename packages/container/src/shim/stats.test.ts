import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { MetricsSchema as V1 } from './gen/github.com/containerd/cgroups/stats/v1/metrics_pb.js';
import { MetricsSchema as V2 } from './gen/github.com/containerd/cgroups/v2/stats/metrics_pb.js';
import { flatKeyed, readV2Extras, taskStatsAny } from './stats.js';

const stats = { memoryBytes: 4096, memoryLimitBytes: 1 << 20, cpuNanoseconds: 7_000_000, pids: 3, pidsLimit: 10, oomKills: 2 };

describe('Stats metrics', () => {
  it('a v2-only group gets io.containerd.cgroups.v2.Metrics: pids, cpu usage/user/system, memory usage/limit, oom and oom_kill', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-stats-'));
    try {
      writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 7000\nuser_usec 5000\nsystem_usec 2000\nnr_periods 0\n');
      writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 9\noom 4\noom_kill 2\n');
      const any = taskStatsAny(stats, { '': dir });
      expect(any.typeUrl).toBe('io.containerd.cgroups.v2.Metrics');
      const m = fromBinary(V2, any.value);
      expect(m.pids).toMatchObject({ current: 3n, limit: 10n });
      expect(m.cpu).toMatchObject({ usageUsec: 7000n, userUsec: 5000n, systemUsec: 2000n });
      expect(m.memory).toMatchObject({ usage: 4096n, usageLimit: 1048576n });
      expect(m.memoryEvents).toMatchObject({ oom: 4n, oomKill: 2n });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('unlimited memory and pids read as max uint64 and 0; missing controllers leave their sections out', () => {
    const m = fromBinary(V2, taskStatsAny({ memoryBytes: 1, pids: 1, pidsLimit: 'max' }, { '': '/nonexistent' }).value);
    expect(m.memory?.usageLimit).toBe((1n << 64n) - 1n);
    expect(m.pids?.limit).toBe(0n);
    expect(m.cpu).toBeUndefined();
    expect(m.memoryEvents).toBeUndefined();
  });

  it('a group with v1 controllers (hybrid or legacy host) gets io.containerd.cgroups.v1.Metrics', () => {
    const any = taskStatsAny(stats, { memory: '/sys/fs/cgroup/memory/x', pids: '/sys/fs/cgroup/pids/x', unified: '/sys/fs/cgroup/unified/x' });
    expect(any.typeUrl).toBe('io.containerd.cgroups.v1.Metrics');
    const m = fromBinary(V1, any.value);
    expect(m.cpu?.usage?.total).toBe(7_000_000n);
    expect(m.memoryOomControl?.oomKill).toBe(2n);
  });

  it('flatKeyed and readV2Extras take key-value lines and leave out what a missing file lacks', () => {
    expect([...flatKeyed('a 1\nb x\n\nc 3')]).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(readV2Extras('/nonexistent')).toEqual({ userUsec: undefined, systemUsec: undefined, oom: undefined });
  });
});
