import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Cgroup, blkioWeightToIoWeight, cpuSharesToWeight, cpuWeightToShares, detectLayout, formatTrigger, ioWeightToBlkioWeight } from '@kc/cgroups';
import { afterAll, describe, expect, it } from 'vitest';
import { printTallies, tally, typedOrValue } from './typed-errors.js';

// @kc/cgroups through its public API on a tmpdir tree standing in for
// /sys/fs/cgroup (the package's root seam): mountinfo and /proc/self/cgroup
// parsing (detectLayout), the stat/limit file parsers behind stats(),
// resources() and pressure(), and the v1<->v2 value translations.
const tmp = mkdtempSync(join(tmpdir(), 'kc-rel-cg-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  printTallies();
});
const CODES = ['INVALID_ARGUMENT', 'UNSUPPORTED', 'NOT_FOUND'];

describe('value translation', () => {
  it('cpu shares <-> weight: in range, monotonic, and weight -> shares -> weight is the identity', () => {
    const t = tally('cgroups.cpu shares<->weight');
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 262144 }), fc.integer({ min: 2, max: 262144 }), fc.integer({ min: 1, max: 10000 }), (a, b, w) => {
        const [wa, wb] = [cpuSharesToWeight(a), cpuSharesToWeight(b)];
        expect(wa).toBeGreaterThanOrEqual(1);
        expect(wa).toBeLessThanOrEqual(10000);
        if (a <= b) expect(wa).toBeLessThanOrEqual(wb);
        expect(cpuSharesToWeight(cpuWeightToShares(w))).toBe(w);
        t.ok++;
      }),
      { numRuns: 3000 },
    );
  });

  it('blkio.weight <-> io.weight: in range and ioWeightToBlkioWeight inverts on the image', () => {
    const t = tally('cgroups.blkio<->io weight');
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 1000 }), (bw) => {
        const w = blkioWeightToIoWeight(bw);
        expect(w).toBeGreaterThanOrEqual(1);
        expect(w).toBeLessThanOrEqual(10000);
        expect(blkioWeightToIoWeight(ioWeightToBlkioWeight(w))).toBe(w);
        t.ok++;
      }),
      { numRuns: 2000 },
    );
  });

  it('formatTrigger: typed errors only on random triggers', () => {
    const t = tally('cgroups.formatTrigger');
    fc.assert(
      fc.property(
        fc.record({
          kind: fc.constantFrom('some', 'full', 'none'),
          stallUs: fc.integer({ min: -1, max: 20_000_000 }),
          windowUs: fc.integer({ min: -1, max: 20_000_000 }),
        }),
        (tr) => {
          const line = typedOrValue(t, () => formatTrigger(tr as never), CODES);
          if (line === undefined) return;
          // Accepted only what psi.rst allows: window 500 ms..10 s, 0 < stall <= window; written as "<kind> <stall> <window>".
          expect(line).toBe(`${tr.kind} ${tr.stallUs} ${tr.windowUs}`);
          expect(['some', 'full']).toContain(tr.kind);
          expect(tr.windowUs >= 500_000 && tr.windowUs <= 10_000_000 && tr.stallUs > 0 && tr.stallUs <= tr.windowUs).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('mountinfo and /proc/self/cgroup (detectLayout)', () => {
  it('random mountinfo and cgroup files give a layout or a typed error', () => {
    const t = tally('cgroups.detectLayout(random mountinfo)');
    const mi = fc.oneof(
      fc
        .tuple(
          fc.nat(),
          fc.constantFrom('/sys/fs/cgroup', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/unified', '/x y', ''),
          fc.constantFrom('cgroup', 'cgroup2', 'tmpfs', ''),
          fc.constantFrom('rw,memory', 'rw,cpu,cpuacct', 'rw,name=systemd', 'rw', ''),
          fc.constantFrom('/', '/docker/abc', ''),
        )
        .map(([n, p, ty, o, root]) => `${n} 1 0:${n} ${root} ${p} rw shared:1 - ${ty} ${ty} ${o}`),
      fc.string({ maxLength: 40 }),
    );
    const pc = fc.oneof(
      fc
        .tuple(fc.nat({ max: 12 }), fc.constantFrom('memory', 'cpu,cpuacct', '', 'name=systemd'), fc.constantFrom('/', '/a/b', ''))
        .map(([n, c, p]) => `${n}:${c}:${p}`),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(mi, { maxLength: 5 }), fc.array(pc, { maxLength: 4 }), (m, p) => {
        typedOrValue(t, () => detectLayout({ fsRoot: join(tmp, 'none'), mountinfo: m.join('\n'), procCgroup: p.join('\n') }), CODES);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('stat and limit files (stats, resources, pressure)', () => {
  const num = fc.oneof(fc.nat().map(String), fc.constantFrom('max', '-1', '18446744073709551615', '9223372036854771712', '1.5', '', 'x', '0'));
  const kv = (keys: string[]) =>
    fc
      .array(
        fc.tuple(fc.constantFrom(...keys, 'junk'), num).map(([k, v]) => `${k} ${v}`),
        { maxLength: 6 },
      )
      .map((l) => l.join('\n'));
  const psi = fc
    .tuple(
      fc.constantFrom('some', 'full', 'bad'),
      fc.array(fc.tuple(fc.constantFrom('avg10', 'avg60', 'avg300', 'total', 'x'), fc.constantFrom('0.00', '1.5', 'nan', '12', '')), { maxLength: 4 }),
    )
    .map(([k, f]) => `${k} ${f.map(([a, b]) => `${a}=${b}`).join(' ')}`);
  const files = fc.record(
    {
      'cpu.max': fc.oneof(
        fc.tuple(num, num).map(([a, b]) => `${a} ${b}`),
        num,
      ),
      'cpu.weight': num,
      'cpu.stat': kv(['usage_usec', 'user_usec', 'system_usec', 'nr_periods', 'nr_throttled', 'throttled_usec']),
      'memory.max': num,
      'memory.high': num,
      'memory.low': num,
      'memory.min': num,
      'memory.swap.max': num,
      'memory.current': num,
      'memory.peak': num,
      'memory.stat': kv(['anon', 'file', 'kernel', 'sock', 'shmem', 'pgfault']),
      'memory.events': kv(['low', 'high', 'max', 'oom', 'oom_kill']),
      'pids.max': num,
      'pids.current': num,
      'pids.events': kv(['max']),
      'io.max': fc
        .array(
          fc
            .tuple(
              fc.constantFrom('8:0', '259:1', 'x', '8:'),
              fc.array(
                fc.tuple(fc.constantFrom('rbps', 'wbps', 'riops', 'wiops', 'zz'), num).map(([a, b]) => `${a}=${b}`),
                { maxLength: 4 },
              ),
            )
            .map(([d, f]) => `${d} ${f.join(' ')}`),
          { maxLength: 3 },
        )
        .map((l) => l.join('\n')),
      'io.stat': fc
        .array(
          fc
            .tuple(
              fc.constantFrom('8:0', '1:2', 'bad'),
              fc.array(
                fc.tuple(fc.constantFrom('rbytes', 'wbytes', 'rios', 'wios', 'dbytes'), num).map(([a, b]) => `${a}=${b}`),
                { maxLength: 5 },
              ),
            )
            .map(([d, f]) => `${d} ${f.join(' ')}`),
          { maxLength: 3 },
        )
        .map((l) => l.join('\n')),
      'io.weight': fc.oneof(
        num,
        num.map((n) => `default ${n}`),
      ),
      'cpuset.cpus': fc.constantFrom('0-1', '0,2-3', '', 'x', '3-1', '0-99999999'),
      'cpuset.mems': fc.constantFrom('0', '', '1-0'),
      'cpu.pressure': fc.array(psi, { maxLength: 2 }).map((l) => l.join('\n')),
      'memory.pressure': fc.array(psi, { maxLength: 2 }).map((l) => l.join('\n')),
      'cgroup.procs': fc.array(num, { maxLength: 3 }).map((l) => l.join('\n')),
    },
    { requiredKeys: [] },
  );

  it('a v2 group whose files hold random text: stats(), resources() and pressure() return or throw typed', () => {
    const root = join(tmp, 'v2');
    mkdirSync(join(root, 'sys/fs/cgroup/job'), { recursive: true });
    writeFileSync(join(root, 'sys/fs/cgroup/job/cgroup.controllers'), 'cpu cpuset io memory pids');
    writeFileSync(join(root, 'sys/fs/cgroup/cgroup.controllers'), 'cpu cpuset io memory pids');
    writeFileSync(join(root, 'sys/fs/cgroup/cgroup.subtree_control'), 'cpu cpuset io memory pids');
    const layout = detectLayout({ fsRoot: root, mountinfo: '1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw', procCgroup: '0::/\n' });
    const cg = Cgroup.open('/job', { layout });
    const t = tally('cgroups v2 stats/resources/pressure(random files)');
    fc.assert(
      fc.property(files, (f) => {
        const dir = join(root, 'sys/fs/cgroup/job');
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir);
        writeFileSync(join(dir, 'cgroup.controllers'), 'cpu cpuset io memory pids');
        for (const [name, text] of Object.entries(f)) writeFileSync(join(dir, name), text);
        typedOrValue(t, () => cg.stats(), CODES);
        typedOrValue(t, () => cg.resources(), CODES);
        typedOrValue(t, () => cg.pressure('cpu'), CODES);
        typedOrValue(t, () => cg.procs(), CODES);
      }),
      { numRuns: 150 },
    );
  }, 30_000);

  it('a v1 group (memory, cpu, pids, blkio hierarchies) with random files: typed errors only', () => {
    const root = join(tmp, 'v1');
    const ctrls = ['memory', 'cpu,cpuacct', 'pids', 'blkio', 'cpuset'];
    for (const c of ctrls) mkdirSync(join(root, `sys/fs/cgroup/${c}/job`), { recursive: true });
    for (const c of ctrls) writeFileSync(join(root, `sys/fs/cgroup/${c}/job/cgroup.procs`), '');
    const mountinfo = ctrls.map((c, i) => `${i + 1} 0 0:${i + 1} / /sys/fs/cgroup/${c} rw - cgroup cgroup rw,${c}`).join('\n');
    const layout = detectLayout({ fsRoot: root, mountinfo, procCgroup: ctrls.map((c, i) => `${i + 1}:${c}:/`).join('\n') });
    const cg = Cgroup.open('/job', { layout });
    const v1 = fc.record(
      {
        'memory/job/memory.limit_in_bytes': fc.constantFrom('9223372036854771712', '-1', 'x', '', '4096'),
        'memory/job/memory.usage_in_bytes': fc.constantFrom('1', '', 'y'),
        'memory/job/memory.stat': fc.constantFrom('cache 1\nrss 2', 'total_rss x', '', 'a b c'),
        'cpu,cpuacct/job/cpu.cfs_quota_us': fc.constantFrom('-1', '100000', 'x', ''),
        'cpu,cpuacct/job/cpu.cfs_period_us': fc.constantFrom('100000', '0', ''),
        'cpu,cpuacct/job/cpu.shares': fc.constantFrom('1024', '0', 'q'),
        'cpu,cpuacct/job/cpuacct.usage': fc.constantFrom('5', '', 'x'),
        'cpu,cpuacct/job/cpuacct.stat': fc.constantFrom('user 1\nsystem 2', 'user', ''),
        'pids/job/pids.max': fc.constantFrom('max', '10', '-3', ''),
        'pids/job/pids.current': fc.constantFrom('1', 'x'),
        'blkio/job/blkio.throttle.io_service_bytes': fc.constantFrom('8:0 Read 10\n8:0 Write 2\nTotal 12', '8:0 Read', 'x y z w', ''),
        'blkio/job/blkio.throttle.read_bps_device': fc.constantFrom('8:0 100', '8:0', 'bad'),
        'cpuset/job/cpuset.cpus': fc.constantFrom('0-1', '', 'x-'),
      },
      { requiredKeys: [] },
    );
    const t = tally('cgroups v1 stats/resources(random files)');
    fc.assert(
      fc.property(v1, (f) => {
        for (const c of ctrls) {
          rmSync(join(root, `sys/fs/cgroup/${c}/job`), { recursive: true, force: true });
          mkdirSync(join(root, `sys/fs/cgroup/${c}/job`));
          writeFileSync(join(root, `sys/fs/cgroup/${c}/job/cgroup.procs`), '');
        }
        for (const [name, text] of Object.entries(f)) writeFileSync(join(root, 'sys/fs/cgroup', name), text);
        typedOrValue(t, () => cg.stats(), CODES);
        typedOrValue(t, () => cg.resources(), CODES);
      }),
      { numRuns: 100 },
    );
  }, 30_000);
});
