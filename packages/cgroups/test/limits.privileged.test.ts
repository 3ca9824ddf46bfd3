import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cgroup, type CgroupEvent } from '@kc/cgroups';
import { spawn } from '@kc/native';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, leakedGroups, probe, sleep, spawnIn, testPath, waitFor } from './helpers.js';

afterAll(() => expect(leakedGroups()).toEqual([]));

/** The directory of `cg` holding `file`, for reading the kernel's own numbers. */
function dirWith(cg: Cgroup, file: string): string | undefined {
  return cg.directories.find((d) => {
    try {
      readFileSync(join(d, file));
      return true;
    } catch {
      return false;
    }
  });
}

const ALLOCATE = 'a = []\nwhile True:\n    a.append(b"x" * (4 << 20))\n';

describe.runIf(probe.memory && probe.python)('memory limit (memory controller)', () => {
  it('OOM-kills an allocating child and the OOM event arrives', async () => {
    await using cg = Cgroup.create(testPath('oom'), {
      resources: { memory: { max: 32 << 20 } },
    });
    if (dirWith(cg, 'memory.memsw.limit_in_bytes') || dirWith(cg, 'memory.swap.max')) cg.set({ memory: { swapMax: 0 } });
    const ac = new AbortController();
    const events: CgroupEvent[] = [];
    const iter = cg.events({ signal: ac.signal, state: false });
    const gotOom = (async () => {
      for await (const e of iter) {
        events.push(e);
        if (e.type === 'oom' || e.type === 'oom_kill') return e;
      }
      return undefined;
    })();
    const p = spawnIn(cg, ['/usr/bin/python3', '-c', ALLOCATE]);
    const status = await p.exited;
    expect(status.signal).toBe('SIGKILL');
    const e = await Promise.race([gotOom, sleep(5000).then(() => undefined)]);
    ac.abort();
    expect(e, JSON.stringify(events)).toBeDefined();
    expect(cg.stats().memory?.oomKills).toBeGreaterThanOrEqual(1);
  });
});

describe.runIf(probe.pids && probe.python)('pids limit (pids controller)', () => {
  it('makes fork fail with EAGAIN at the limit', async () => {
    await using cg = Cgroup.create(testPath('pids'), {
      resources: { pids: { max: 4 } },
    });
    const script = [
      'import os, time, errno',
      'kids = []',
      'try:',
      '    for _ in range(50):',
      '        pid = os.fork()',
      '        if pid == 0:',
      '            time.sleep(30); os._exit(0)',
      '        kids.append(pid)',
      '    print("no-limit", len(kids))',
      'except OSError as e:',
      '    print(errno.errorcode[e.errno], len(kids))',
      'for k in kids: os.kill(k, 9)',
    ].join('\n');
    const p = spawnIn(cg, ['/usr/bin/python3', '-c', script]);
    const out = await collect(p.stdout);
    await p.exited;
    expect(out.trim()).toBe('EAGAIN 3'); // python itself is the fourth task
    expect(cg.stats().pids?.limitHits).toBeGreaterThanOrEqual(1);
  });
});

describe.runIf(probe.cpu && probe.python)('cpu quota (cpu controller)', () => {
  it("throttles a busy loop in the periods it exhausts, and never lets it use more than the quota per period (the kernel's cpu.stat counts, no wall clock)", async () => {
    const quota = 20000;
    await using cg = Cgroup.create(testPath('quota'), {
      resources: { cpu: { quota, period: 100000 } },
    });
    const p = spawnIn(cg, ['/usr/bin/python3', '-c', 'while True: pass']);
    // The kernel counts throttled periods: wait for several, however loaded the machine is.
    const throttled = await waitFor(() => (cg.stats().cpu?.nrThrottled ?? 0) >= 5, 30_000);
    p.kill('SIGKILL');
    await p.exited;
    expect(throttled).toBe(true);
    const cpu = cg.stats().cpu;
    expect(cpu?.throttledUsec).toBeGreaterThan(0);
    expect(cpu?.nrThrottled).toBeLessThanOrEqual(cpu?.nrPeriods ?? 0);
    // Usage within quota per period the group was active (nr_periods), plus one period of slack
    // for the runtime handed out in 5 ms slices (sched_cfs_bandwidth_slice_us) and the partial last one.
    expect(cpu?.usageUsec).toBeLessThanOrEqual(((cpu?.nrPeriods ?? 0) + 2) * quota);
  });
});

describe.runIf(probe.freeze && probe.python)('freeze and thaw (v2 cgroup.freeze or v1 freezer)', () => {
  it('freeze stops a counter and thaw restarts it', async () => {
    await using cg = Cgroup.create(testPath('freeze'));
    const dir = mkdtempSync(join(tmpdir(), 'kc-test-freeze-'));
    // Counters written with rename (a read never sees half a number): one in the group, a witness outside it.
    const counter = (file: string) =>
      `import os, time\ni = 0\nwhile True:\n    i += 1\n    open("${file}.new", "w").write(str(i))\n    os.replace("${file}.new", "${file}")\n    time.sleep(0.005)`;
    const read = (file: string) => {
      try {
        return Number(readFileSync(file, 'utf8'));
      } catch {
        return 0;
      }
    };
    const inside = join(dir, 'inside');
    const outside = join(dir, 'outside');
    const p = spawnIn(cg, ['/usr/bin/python3', '-c', counter(inside)]);
    const witness = spawn({ argv: ['/usr/bin/python3', '-c', counter(outside)], stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      expect(await waitFor(() => read(inside) > 0)).toBe(true); // python is counting
      await cg.freeze();
      expect(cg.frozen).toBe(true);
      const atFreeze = read(inside);
      // No wall-clock wait: the witness outside the group counts 40 more steps (its own sleeps and
      // writes, 200 ms or more) while the frozen counter must not move.
      const w = read(outside);
      expect(await waitFor(() => read(outside) >= w + 40)).toBe(true);
      expect(read(inside)).toBe(atFreeze);
      await cg.thaw();
      expect(await waitFor(() => read(inside) > atFreeze, 5000)).toBe(true);
    } finally {
      p.kill('SIGKILL');
      witness.kill('SIGKILL');
      await Promise.all([p.exited, witness.exited]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kill-all', () => {
  it('empties a group with nested members, which then deletes cleanly', async () => {
    // Members sit in leaves: v2 forbids processes beside enabled controllers.
    const cg = Cgroup.create(testPath('kill'));
    const a = spawnIn(cg.createChild('one'), ['sh', '-c', 'sleep 100 & sleep 100 & wait']);
    const b = spawnIn(cg.createChild('two').createChild('inner'), ['sleep', '100']);
    const members = () => [...cg.walk()].flatMap((g) => g.procs());
    expect(await waitFor(() => members().length >= 4)).toBe(true);
    await cg.kill();
    expect(cg.populated).toBe(false);
    expect(members()).toEqual([]);
    expect((await a.exited).signal).toBe('SIGKILL');
    expect((await b.exited).signal).toBe('SIGKILL');
    const dirs = cg.directories;
    await cg.delete({ kill: false });
    for (const d of dirs) expect(() => readFileSync(join(d, 'cgroup.procs'))).toThrow();
  });
});

describe('stats', () => {
  it('match what the kernel files say', async () => {
    await using cg = Cgroup.create(testPath('stats'), {
      resources: {
        ...(probe.memory ? { memory: { max: 64 << 20 } } : {}),
        ...(probe.pids ? { pids: { max: 50 } } : {}),
      },
    });
    const p = spawnIn(cg, ['sh', '-c', 'sleep 100 & sleep 100 & wait']);
    expect(await waitFor(() => cg.procs().length === 3)).toBe(true);
    if (probe.freeze) await cg.freeze(); // holds the numbers still
    const s = cg.stats();
    if (probe.pids) {
      const d = dirWith(cg, 'pids.current') as string;
      expect(s.pids).toEqual({
        current: Number(readFileSync(join(d, 'pids.current'), 'utf8')),
        max: 50,
        limitHits: 0,
      });
      expect(s.pids?.current).toBe(3);
    }
    if (probe.memory) {
      const v1 = dirWith(cg, 'memory.usage_in_bytes');
      const file = v1 ? join(v1, 'memory.usage_in_bytes') : join(dirWith(cg, 'memory.current') as string, 'memory.current');
      // Usage moves even in a frozen group (per-cpu charge batches are flushed, kernel memory is
      // charged): compare exactly, at a moment the kernel's number held still across the read of
      // the stats (file, stats, file all equal), retried until there is one.
      let seen = '';
      const agree = () => {
        const before = Number(readFileSync(file, 'utf8'));
        const usage = cg.stats().memory?.usage;
        const after = Number(readFileSync(file, 'utf8'));
        seen = `file ${before}, stats ${usage}, file ${after}`;
        return before === usage && usage === after;
      };
      expect(await waitFor(agree, 10_000), seen).toBe(true);
      expect(s.memory?.limit).toBe(64 << 20);
      expect(s.memory?.stat).toHaveProperty(v1 ? 'rss' : 'anon');
    }
    if (s.cpu) expect(s.cpu.usageUsec).toBeGreaterThan(0);
    p.kill('SIGKILL');
    if (probe.freeze) await cg.thaw();
    await cg.kill();
  });
});

describe.runIf(probe.devicesV1)('device rules (v1 devices controller)', () => {
  it('a deny rule makes opening /dev/null fail with EPERM, an allow rule restores it', async () => {
    await using cg = Cgroup.create(testPath('devices'), {
      resources: {
        devices: [{ allow: false, type: 'c', major: 1, minor: 3, access: 'rw' }],
      },
    });
    const tryWrite = async () => {
      const p = spawnIn(cg, ['sh', '-c', 'echo x > /dev/null && echo ok']);
      const [out, err] = await Promise.all([collect(p.stdout), collect(p.stderr)]);
      await p.exited;
      return out + err;
    };
    expect(await tryWrite()).toMatch(/Operation not permitted/);
    cg.set({
      devices: [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }],
    });
    expect((await tryWrite()).trim()).toBe('ok');
  });
});
