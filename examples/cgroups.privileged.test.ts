import { execFileSync } from 'node:child_process';
import { Cgroup } from '@kc/cgroups';
import { describe, expect, it } from 'vitest';

const runExample = (file: string) =>
  execFileSync('pnpm', ['exec', 'tsx', `examples/${file}`], {
    encoding: 'utf8',
  });

describe('cgroups examples', () => {
  it('cgroups-effective-limits.ts reports the tightest limits of itself and of a limited child', () => {
    const out = runExample('cgroups-effective-limits.ts');
    expect(out).toMatch(/^cgroup mode: (legacy|hybrid|unified); controllers: .*memory/m);
    expect(out).toMatch(/^this process: memory limit (max|\d+ MiB), host memory \d+ MiB, cpus \d+ \(node says \d+\)$/m);
    expect(out).toMatch(/^child in \/kc-example-\d+: memory limit 256 MiB \(from \/kc-example-\d+\), cpus 0\.5, use 1 worker\(s\)$/m);
  });

  it('cgroups-oom-watch.ts shows the OOM kill and its event', () => {
    const out = runExample('cgroups-oom-watch.ts');
    expect(out).toContain('memory.max = 33554432');
    expect(out).toContain('child ended by SIGKILL');
    expect(out).toMatch(/^event: oom(_kill)? = \d+ \(from memory\.(events|oom_control)\)$/m);
    expect(out).toMatch(/^oom kills: [1-9]/m);
  });

  it('cgroups-monitor.ts watches events, pressure and stats in three for-await loops, all stopped by one abort', () => {
    const out = runExample('cgroups-monitor.ts');
    const path = /^group (\S+) \((legacy|hybrid|unified)\)/m.exec(out)?.[1];
    // The memory mark fired, on either version: a v1 threshold that says which one, or v2 memory.high.
    expect(out).toMatch(/^event: (threshold = \d+ \(from memory\.usage_in_bytes, threshold 16 MiB\)|high = \d+ \(from memory\.events\))$/m);
    // Stats from the kernel: the spinner's CPU time, throttled by the quota; at the end, the memory held and forks refused at pids.max.
    const sample = /^stats: cpu (\d+) ms \(throttled (\d+) times\), memory \d+ MiB, pids \d+\/8 \(fork refused \d+ times\)$/m.exec(out);
    expect(sample).not.toBeNull();
    const last = [...out.matchAll(/^stats: cpu (\d+) ms \(throttled (\d+) times\)/gm)].at(-1) as RegExpMatchArray;
    expect(Number(last[1])).toBeGreaterThan(0);
    expect(Number(last[2])).toBeGreaterThan(0);
    const end = /^at the end: memory (\d+) MiB, fork refused (\d+) times$/m.exec(out);
    // v1 lets the holder keep its 24 MiB; v2's memory.high throttles and reclaims it back towards 16 MiB.
    expect(Number(end?.[1])).toBeGreaterThanOrEqual(10);
    expect(Number(end?.[2])).toBeGreaterThan(0);
    // Every loop ended by the abort, for the reason given to it (not the 30 s timeout), and the program went on.
    const watched = out.includes('pressure: not watched') ? ['events', 'stats'] : ['events', 'pressure', 'stats'];
    for (const name of watched) expect(out).toContain(`${name}: stopped by abort (enough events seen)`);
    expect(out).not.toMatch(/ended by itself/);
    expect(out).toMatch(/^monitor stopped by abort \(enough events seen\) after [1-9]\d* events, \d+ pressure events, [1-9]\d* samples$/m);
    // `await using` removed the group.
    expect(path).toBeDefined();
    expect(() => Cgroup.open(path as string)).toThrow(/does not exist/);
  });

  it('cgroups-freeze.ts freezes, thaws, kills and deletes', () => {
    const out = runExample('cgroups-freeze.ts');
    expect(out).toContain('frozen: true; count did not move while frozen: true');
    expect(out).toContain('thawed: count moved on: true');
    expect(out).toContain('after kill: populated false; child ended by SIGKILL');
    expect(out).toContain('group deleted');
  });
});
