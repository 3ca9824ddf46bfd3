/**
 * `kc update` against `runc update` as oracle (issue #16, item 2): the same
 * bundle runs under both, both get the same flags or the same `-r` JSON, and
 * the limits the kernel then holds (read from the host through each
 * container's /proc/<pid>/cgroup paths, whichever hierarchy holds each
 * controller) must be identical. Bad input gets runc's exit code.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupLimits } from './cgroup-limits.js';
import { KC, leftoverCgroups, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

describe.runIf(probe.root && probe.busybox && probe.runc)('kc update against runc update (needs root, busybox-static, runc)', () => {
  const roots = { kc: tempDir('kc-upd-root-'), runc: tempDir('kc-upd-runc-') };
  const ids = { kc: uniqueId('upd'), runc: uniqueId('updrunc') };
  const stopped = { kc: uniqueId('updstop'), runc: uniqueId('updstoprunc') };
  const tool = { kc: KC, runc: 'runc' } as const;
  type Side = keyof typeof tool;
  let bundle: ReturnType<typeof makeBundle>;
  let exited: ReturnType<typeof makeBundle>;

  const cli = (side: Side, args: string[], input?: string) => {
    const r = spawnSync(tool[side], ['--root', roots[side], ...args], { encoding: 'utf8', timeout: 60_000, input });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const pidOf = (side: Side, id: string) => JSON.parse(cli(side, ['state', id]).stdout).pid as number;
  const statusOf = (side: Side, id: string) => JSON.parse(cli(side, ['state', id]).stdout).status as string;
  const both = (args: (id: string) => string[], input?: string) => {
    for (const side of ['kc', 'runc'] as const) {
      const r = cli(side, args(ids[side]), input);
      expect(r.status, `${side}: ${r.stderr}`).toBe(0);
    }
    const k = cgroupLimits(pidOf('kc', ids.kc));
    // cgroup2's cpu.weight: runc 1.1 (Debian's) maps cpu.shares onto it linearly, kc as runc 1.3 and crun do since 2025
    // (@kc/cgroups cpuSharesToWeight), so that one file is checked against the 2025 mapping by the tests, not against runc 1.1.
    const { 'cpu.weight': _kw, ...kRest } = k;
    const { 'cpu.weight': _rw, ...rRest } = cgroupLimits(pidOf('runc', ids.runc));
    expect(kRest).toEqual(rRest);
    return k;
  };

  beforeAll(() => {
    bundle = makeBundle(['sleep', '1000']);
    exited = makeBundle(['true']);
    for (const side of ['kc', 'runc'] as const) {
      const run = spawnSync(tool[side], ['--root', roots[side], 'run', '-d', '--bundle', bundle.bundle, ids[side]], { stdio: 'ignore', timeout: 60_000 });
      expect(run.status, side).toBe(0);
      const done = spawnSync(tool[side], ['--root', roots[side], 'run', '-d', '--bundle', exited.bundle, stopped[side]], { stdio: 'ignore', timeout: 60_000 });
      expect(done.status, side).toBe(0);
    }
  });
  afterAll(() => {
    for (const side of ['kc', 'runc'] as const) {
      for (const id of [ids[side], stopped[side]]) spawnSync(tool[side], ['--root', roots[side], 'delete', '--force', id]);
      rmSync(roots[side], { recursive: true, force: true });
    }
    bundle?.cleanup();
    exited?.cleanup();
    expect([...leftoverCgroups(ids.kc), ...leftoverCgroups(stopped.kc)]).toEqual([]);
  });

  it('applies the same flags as runc, live', () => {
    const k = both((id) => [
      'update',
      '--memory',
      '64M',
      '--memory-swap',
      '128M',
      '--cpu-quota',
      '20000',
      '--cpu-period',
      '100000',
      '--pids-limit',
      '50',
      '--cpu-share',
      '512',
      id,
    ]);
    expect(k['pids.max']).toBe('50');
    expect(k['memory.limit_in_bytes'] ?? k['memory.max']).toBe(String(64 << 20));
    expect(k['cpu.cfs_quota_us'] ?? k['cpu.max']).toMatch(/^20000( 100000)?$/);
    // v1 cpu.shares as given; cgroup2 cpu.weight 59, the 2025 mapping of 512 shares (runc 1.1 writes 20).
    expect(k['cpu.shares'] ?? k['cpu.weight']).toBe(k['cpu.shares'] === undefined ? '59' : '512');
  });

  it('applies the same -r JSON as runc, from a file and from standard input, and records it', () => {
    const json = {
      memory: { limit: 32 << 20, swap: 64 << 20, reservation: 16 << 20 },
      cpu: { shares: 256, quota: 50000, period: 200000, cpus: '0', mems: '0' },
      pids: { limit: 30 },
    };
    const dir = tempDir('kc-upd-json-');
    try {
      const file = join(dir, 'r.json');
      writeFileSync(file, JSON.stringify(json));
      const k = both((id) => ['update', '-r', file, id]);
      expect(k['pids.max']).toBe('30');
      expect(k['cpuset.cpus']).toBe('0');
      expect(k['cpu.shares'] ?? k['cpu.weight']).toBe(k['cpu.shares'] === undefined ? '35' : '256');
      const record = JSON.parse(readFileSync(join(roots.kc, ids.kc, 'state.json'), 'utf8'));
      expect(record.config.linux.resources).toMatchObject(json);
      // Standard input, flags ignored (as runc: -r wins).
      const k2 = both((id) => ['update', '--pids-limit', '99', '-r', '-', id], JSON.stringify({ pids: { limit: 25 }, memory: { limit: 48 << 20 } }));
      expect(k2['pids.max']).toBe('25');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('updates a paused container, as runc', () => {
    for (const side of ['kc', 'runc'] as const) expect(cli(side, ['pause', ids[side]]).status).toBe(0);
    try {
      expect(both((id) => ['update', '--pids-limit', '45', id])['pids.max']).toBe('45');
    } finally {
      for (const side of ['kc', 'runc'] as const) expect(cli(side, ['resume', ids[side]]).status).toBe(0);
    }
  });

  it("refuses bad input with runc's exit code, one line, and nothing changed", () => {
    const before = cgroupLimits(pidOf('kc', ids.kc));
    const cases: ((id: string) => string[])[] = [
      (id) => ['update', '--no-such-flag', id],
      (id) => ['update', '--memory', 'abc', id],
      (id) => ['update', '--pids-limit', 'x', id],
      (id) => ['update', '--cpu-period', '-5', id],
      () => ['update', '--memory', '64M'],
      () => ['update', '--memory', '64M', 'no-such-container'],
      (id) => ['update', '-r', '/no/such/file.json', id],
    ];
    for (const args of cases) {
      const r = cli('runc', args(ids.runc));
      const k = cli('kc', args(ids.kc));
      expect(k.status, `${args('ID').join(' ')}: ${k.stderr}`).toBe(r.status);
      expect(k.status).not.toBe(0);
      expect(k.stderr.trim().split('\n'), k.stderr).toHaveLength(1);
    }
    expect(cgroupLimits(pidOf('kc', ids.kc))).toEqual(before);
  });

  it('leaves every limit as it was when the update is refused (v1: by the kernel, the memory limit written first; cgroup2: before any write)', () => {
    const before = cgroupLimits(pidOf('kc', ids.kc));
    const v2 = before['memory.max'] !== undefined;
    // v1: 1 byte of memory, below what is in use, is refused (EBUSY); the reservation beside it must not be written either.
    // cgroup2 takes such a memory.max and reclaims or OOM-kills instead, so there the refusal is a CPU the machine lacks
    // in cpuset.cpus, beside a new memory limit: kc checks it against the online CPUs before writing anything (runc
    // 1.1 writes the memory limit, then fails on cpuset.cpus with EINVAL: exit 1 as well).
    const args = v2
      ? (id: string) => ['update', '--memory', '200M', '--cpuset-cpus', '999', id]
      : (id: string) => ['update', '--memory-reservation', '8M', '--memory', '1', id];
    const k = cli('kc', args(ids.kc));
    expect(k.status).toBe(cli('runc', args(ids.runc)).status);
    expect(k.status).toBe(1);
    expect(k.stderr).toMatch(v2 ? /^kc: cannot update container .*cpuset\.cpus: 999 not online/ : /^kc: cannot update container .*EBUSY/);
    expect(cgroupLimits(pidOf('kc', ids.kc))).toEqual(before);
  });

  it('refuses to update a stopped container, as runc', () => {
    for (const side of ['kc', 'runc'] as const) {
      // `true` exits at once: wait for the runtime to see it.
      for (let i = 0; i < 500 && statusOf(side, stopped[side]) !== 'stopped'; i++) spawnSync('true');
      expect(statusOf(side, stopped[side])).toBe('stopped');
    }
    const r = cli('runc', ['update', '--pids-limit', '10', stopped.runc]);
    const k = cli('kc', ['update', '--pids-limit', '10', stopped.kc]);
    expect(r.status).toBe(1);
    expect(k.status).toBe(r.status);
    expect(k.stderr).toMatch(/^kc: cannot update container ".*": it is stopped/);
  });

  it('fails closed on what kc cannot apply (real-time CPU), naming the field, before any write', () => {
    const before = cgroupLimits(pidOf('kc', ids.kc));
    const k = cli('kc', ['update', '--pids-limit', '11', '--cpu-rt-runtime', '1000', ids.kc]);
    expect(k.status).toBe(1);
    expect(k.stderr).toMatch(/linux\.resources\.cpu\.realtimeRuntime/);
    expect(cgroupLimits(pidOf('kc', ids.kc))).toEqual(before);
  });
});
