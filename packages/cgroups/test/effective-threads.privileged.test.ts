import { readdirSync, readFileSync } from 'node:fs';
import { Cgroup, effectiveLimits, makeThreaded } from '@kc/cgroups';
import { afterAll, describe, expect, it } from 'vitest';
import { layout, leakedGroups, probe, spawnIn, testPath, waitFor } from './helpers.js';

afterAll(() => expect(leakedGroups()).toEqual([]));

describe('effective limits', () => {
  it('of the calling Node process match its own cgroup files', () => {
    const e = effectiveLimits();
    expect(e.cpuList.length).toBeGreaterThan(0);
    expect(e.parallelism).toBeGreaterThanOrEqual(1);
    expect(e.memoryAvailable).toBeLessThanOrEqual(e.hostMemory);
    const mem = layout.controllers.get('memory');
    if (mem?.version === 1) {
      const own = readFileSync(`${mem.mountPoint}${layout.self.get('memory')}/memory.limit_in_bytes`, 'utf8');
      if (Number(own) < 2 ** 62) expect(e.memoryLimit).toBeLessThanOrEqual(Number(own));
    }
  });

  it.runIf(probe.memory && probe.cpu)('of a child take the tightest limit up the tree (memory and cpu controllers)', async () => {
    await using outer = Cgroup.create(testPath('eff'), {
      resources: {
        memory: { max: 96 << 20 },
        cpu: { quota: 50000, period: 100000 },
      },
    });
    const inner = outer.createChild('inner', {
      memory: { max: 128 << 20 },
      cpu: { quota: 40000, period: 100000 },
      ...(layout.controllers.has('cpuset') ? { cpuset: { cpus: '0' } } : {}),
    });
    const p = spawnIn(inner, ['sleep', '100']);
    // The child has exec'd sleep inside the group (its affinity follows the cpuset from then on).
    expect(await waitFor(() => inner.procs().includes(p.pid) && readFileSync(`/proc/${p.pid}/comm`, 'utf8').trim() === 'sleep')).toBe(true);
    const e = effectiveLimits(p.pid);
    p.kill('SIGKILL');
    await p.exited;
    expect(e.memoryLimit).toBe(96 << 20);
    expect(e.memoryLimitFrom).toBe(outer.path);
    expect(e.cpuQuota).toBe(0.4); // v1 refuses a child quota above its parent's, so the child is tighter
    expect(e.cpuQuotaFrom).toBe(inner.path);
    expect(e.cpus).toBe(0.4);
    expect(e.parallelism).toBe(1);
    // The cpuset narrows the affinity the kernel gives the child.
    if (layout.controllers.has('cpuset')) expect(e.cpuList).toEqual([0]);
  });
});

describe.runIf(probe.python)('moving threads', () => {
  it('moves one thread of a process into another group (v1 tasks, or a v2 threaded subtree)', async () => {
    await using cg = Cgroup.create(testPath('threads'));
    const v2only = layout.mode === 'unified';
    const worker = cg.createChild('worker');
    if (v2only || layout.unified) makeThreaded(worker);
    const p = spawnIn(cg, ['/usr/bin/python3', '-c', 'import threading, time\nthreading.Thread(target=time.sleep, args=(100,)).start()\ntime.sleep(100)']);
    const others = () => readdirSync(`/proc/${p.pid}/task`).filter((t) => Number(t) !== p.pid);
    expect(await waitFor(() => others().length === 1)).toBe(true); // python started its thread
    const tids = readdirSync(`/proc/${p.pid}/task`)
      .map(Number)
      .filter((t) => t !== p.pid);
    expect(tids.length).toBe(1);
    const tid = tids[0] as number;
    worker.addThread(tid);
    const lines = readFileSync(`/proc/${p.pid}/task/${tid}/cgroup`, 'utf8').trim().split('\n');
    const main = readFileSync(`/proc/${p.pid}/task/${p.pid}/cgroup`, 'utf8');
    const key = v2only ? '0::' : layout.controllers.has('pids') ? ':pids:' : ':memory:';
    expect(lines.find((l) => l.includes(key))?.endsWith(worker.path)).toBe(true);
    expect(
      main
        .split('\n')
        .find((l) => l.includes(key))
        ?.endsWith(cg.path),
    ).toBe(true);
    expect(worker.threads()).toContain(tid);
    p.kill('SIGKILL');
    await p.exited;
  });
});
