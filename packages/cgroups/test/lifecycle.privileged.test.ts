import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cgroup, CgroupError, checkDelegation, setTreeLimits, treeLimits } from '@kc/cgroups';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, layout, leakedGroups, probe, spawnIn, testPath } from './helpers.js';

afterAll(() => expect(leakedGroups()).toEqual([]));

describe('detection', () => {
  it('agrees with /proc/self/cgroup and mountinfo', () => {
    const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    const v1 = mountinfo.split('\n').filter((l) => / - cgroup cgroup /.test(l) && !/name=/.test(l.split(' - ')[1] ?? '')).length;
    const v2 = / - cgroup2 /.test(mountinfo);
    expect(layout.mode).toBe(v1 > 0 && v2 ? 'hybrid' : v2 ? 'unified' : 'legacy');
    const mine = readFileSync('/proc/self/cgroup', 'utf8');
    if (probe.memory && layout.controllers.get('memory')?.version === 1) expect(mine).toContain(`:memory:${layout.self.get('memory')}`);
    if (layout.unified) expect(mine).toContain(`0::${layout.self.get('')}`);
  });
});

describe('Cgroup lifecycle', () => {
  it('creates with parents, lists, walks and deletes recursively', async () => {
    const root = testPath('tree');
    const cg = Cgroup.create(`${root}/a/b`);
    for (const d of cg.directories) expect(existsSync(d)).toBe(true);
    if (probe.memory) expect(cg.enabledControllers()).toContain('memory');
    const top = Cgroup.open(root);
    expect(top.children().map((c) => c.path)).toEqual([`/${root}/a`]);
    expect([...top.walk()].map((c) => c.path)).toEqual([`/${root}`, `/${root}/a`, `/${root}/a/b`]);
    await top.delete();
    for (const d of cg.directories) expect(existsSync(d)).toBe(false);
    expect(() => Cgroup.open(root)).toThrow(CgroupError);
  });

  it('rejects bad names and values with typed errors before any write', () => {
    const name = testPath('bad');
    const attempts: [() => unknown, string][] = [
      [() => Cgroup.create(`${name}/../x`), 'path[1]'],
      [() => Cgroup.create(name, { resources: { memory: { max: -1 } } }), 'memory.max'],
      [() => Cgroup.create(name, { resources: { gpu: {} } as never }), 'resources.gpu'],
      [() => Cgroup.create(name, { resources: { cpuset: { cpus: '0-4095' } } }), 'cpuset.cpus'],
    ];
    for (const [f, field] of attempts) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CgroupError);
      expect((err as CgroupError).code).toBe('INVALID_ARGUMENT');
      expect((err as CgroupError).field).toBe(field);
    }
    expect(leakedGroups()).toEqual([]);
  });

  it.runIf(probe.pids)("createChild takes Cgroup.create's options shape, { resources }; the old positional limits still work", async () => {
    await using cg = Cgroup.create(testPath('child-options'));
    const pidsMax = (c: Cgroup) => {
      const dir = c.directories.find((d) => existsSync(join(d, 'pids.max')));
      return dir ? readFileSync(join(dir, 'pids.max'), 'utf8').trim() : undefined;
    };
    const a = cg.createChild('a', { resources: { pids: { max: 7 } } });
    expect(pidsMax(a)).toBe('7');
    const b = cg.createChild('b', { pids: { max: 9 } }); // deprecated form
    expect(pidsMax(b)).toBe('9');
    expect(pidsMax(cg.createChild('c', {}))).toBe('max');
  });

  it('rejects a child name with "/" and a knob the version lacks', async () => {
    await using cg = Cgroup.create(testPath('child'));
    expect(() => cg.createChild('x/y')).toThrow(/contains "\/"/);
    const memV = cg.versionOf('memory');
    if (memV === 1) expect(() => cg.set({ memory: { high: 1 << 20 } })).toThrow(/not available on cgroup v1/);
    if (memV === 2) expect(() => cg.set({ memory: { swappiness: 1 } })).toThrow(/not available on cgroup v2/);
  });

  it.runIf(probe.cpu)('removes what it created when the kernel rejects a value halfway (cpu bandwidth: burst > quota)', () => {
    const name = testPath('halfway');
    let err: unknown;
    try {
      Cgroup.create(`${name}/inner`, {
        resources: {
          pids: probe.pids ? { max: 5 } : undefined,
          cpu: { quota: 10000, period: 100000, burst: 90000 },
        },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CgroupError);
    expect((err as CgroupError).code).toBe('EINVAL');
    expect(leakedGroups()).toEqual([]);
  });

  it('places a spawned child through spawnPlacement and moves processes', async () => {
    await using cg = Cgroup.create(testPath('place'));
    const p = spawnIn(cg, ['cat', '/proc/self/cgroup']);
    const out = await collect(p.stdout);
    await p.exited;
    for (const line of out.trim().split('\n')) {
      const [, ctrls, path] = line.split(':');
      if (ctrls?.startsWith('name=')) continue;
      expect(path, line).toBe(cg.path);
    }
  });

  it('reads back the same resources it wrote', async () => {
    await using cg = Cgroup.create(testPath('readback'));
    const r: Parameters<Cgroup['set']>[0] = {};
    if (probe.memory) r.memory = { max: 48 << 20 };
    if (probe.pids) r.pids = { max: 17 };
    if (probe.cpu) r.cpu = cg.versionOf('cpu') === 1 ? { shares: 512, quota: 30000, period: 100000 } : { weight: 59, quota: 30000, period: 100000 };
    cg.set(r);
    const back = cg.resources();
    if (r.memory) expect(back.memory?.max).toBe(r.memory.max);
    if (r.pids) expect(back.pids).toEqual(r.pids);
    if (r.cpu) expect(back.cpu).toMatchObject(r.cpu);
  });
});

describe.runIf(probe.v1CpuMemPids && probe.cgroupTools)('differential against cgroup-tools on v1 (cgcreate/cgset/cgget, v1 memory+cpu+pids)', () => {
  const cgget = (path: string, key: string) =>
    execFileSync('cgget', ['-n', '-v', '-r', key, path], {
      encoding: 'utf8',
    }).trim();

  it('cgget reads what kc wrote', async () => {
    await using cg = Cgroup.create(testPath('cgget'), {
      resources: {
        memory: { max: 40 << 20 },
        cpu: { weight: 100, quota: 25000, period: 50000 },
        pids: { max: 23 },
      },
    });
    expect(cgget(cg.path, 'memory.limit_in_bytes')).toBe(String(40 << 20));
    expect(cgget(cg.path, 'cpu.shares')).toBe('1024');
    expect(cgget(cg.path, 'cpu.cfs_quota_us')).toBe('25000');
    expect(cgget(cg.path, 'cpu.cfs_period_us')).toBe('50000');
    expect(cgget(cg.path, 'pids.max')).toBe('23');
  });

  it('kc reads what cgset wrote', async () => {
    const name = testPath('cgset');
    execFileSync('cgcreate', ['-g', `memory,cpu,pids:/${name}`]);
    const cg = Cgroup.open(name);
    try {
      execFileSync('cgset', ['-r', 'memory.limit_in_bytes=33554432', '-r', 'cpu.shares=256', '-r', 'cpu.cfs_quota_us=20000', '-r', 'pids.max=9', `/${name}`]);
      const r = cg.resources();
      expect(r.memory?.max).toBe(33554432);
      expect(r.cpu).toMatchObject({ shares: 256, quota: 20000 });
      expect(r.pids).toEqual({ max: 9 });
    } finally {
      await cg.delete();
    }
  });
});

describe('delegation and v2 tree limits', () => {
  it('reports a group as not delegated to an unrelated uid, and delegated once chowned', async () => {
    await using cg = Cgroup.create(testPath('deleg'));
    expect(checkDelegation(cg).delegated).toBe(true); // root
    const r = checkDelegation(cg, 65534);
    expect(r.delegated).toBe(false);
    expect(r.problems.length).toBeGreaterThan(0);
    for (const d of cg.directories) {
      chownSync(d, 65534, 65534);
      for (const f of ['cgroup.procs', 'tasks', 'cgroup.subtree_control', 'cgroup.threads']) if (existsSync(join(d, f))) chownSync(join(d, f), 65534, 65534);
    }
    expect(checkDelegation(cg, 65534)).toEqual({
      delegated: true,
      problems: [],
    });
  });

  it.runIf(probe.v2Core)('cgroup.max.descendants makes mkdir fail with EAGAIN (v2 hierarchy mounted)', async () => {
    await using cg = Cgroup.create(testPath('maxdesc'));
    setTreeLimits(cg, { maxDescendants: 1, maxDepth: 'max' });
    expect(treeLimits(cg)).toEqual({ maxDepth: 'max', maxDescendants: 1 });
    const first = cg.createChild('one');
    let err: unknown;
    try {
      cg.createChild('two');
    } catch (e) {
      err = e;
    }
    expect((err as CgroupError).code).toBe('EAGAIN');
    expect(cg.children().map((c) => c.path)).toEqual([first.path]);
  });
});
