import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Cgroup } from '@kc/cgroups';
import { describe, expect, it } from 'vitest';

const runExample = (file: string) => execFileSync('pnpm', ['exec', 'tsx', `examples/${file}`], { encoding: 'utf8' });

/** A markdown table row of the example's output, split into cells (undefined when absent). */
function row(out: string, first: string): string[] | undefined {
  const line = out.split('\n').find((l) => l.startsWith(`| ${first} |`));
  return line
    ?.split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

/** True while `pid` exists and is not a zombie. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** The kernel no longer has the group in any hierarchy. */
function expectCgroupGone(path: string | undefined): void {
  expect(path).toBeDefined();
  expect(() => Cgroup.open(path as string)).toThrow(/does not exist/);
}

describe('composed examples', () => {
  it('sandbox-untrusted-code.ts: each snippet is stopped by the budget it breaks', () => {
    const out = runExample('sandbox-untrusted-code.ts');
    expect(row(out, 'normal')).toEqual([
      'normal',
      'exit 0',
      expect.stringMatching(/^\d+$/),
      expect.stringMatching(/^\d+$/),
      '0',
      'ok',
      'pid 1, uid 65534, host sandbox; / read-only; /tmp writable; CapEff: 0000000000000000; NoNewPrivs: 1; Seccomp: 2',
    ]);
    const hog = row(out, 'memory-hog');
    expect(hog?.[1]).toBe('SIGKILL');
    expect(Number(hog?.[3])).toBeGreaterThanOrEqual(60); // it reached the 64 MiB limit
    expect(Number(hog?.[4])).toBeGreaterThanOrEqual(1); // and the cgroup counted an OOM kill
    expect(hog?.[5]).toBe('memory budget (64 MiB) exceeded: OOM-killed');
    expect(row(out, 'open-socket')?.slice(4)).toEqual(['0', 'denied system call (EPERM)', 'nc: socket: Operation not permitted']);
    const loop = row(out, 'infinite-loop');
    expect(loop?.[1]).toBe('SIGKILL');
    expect(Number(loop?.[2])).toBeGreaterThanOrEqual(1500);
    expect(loop?.[5]).toBe('time budget (1500 ms) exceeded: killed');
    expectCgroupGone(/^sandboxes under cgroup (\S+) /m.exec(out)?.[1]);
  });

  it('ci-job-runner.ts: six jobs, three at a time, each with its own limits and stats', () => {
    const out = runExample('ci-job-runner.ts');
    const concurrency = [...out.matchAll(/start \S+ \(running: (\d)\)/g)].map((m) => Number(m[1]));
    expect(concurrency).toHaveLength(6);
    expect(Math.max(...concurrency)).toBe(3);
    for (const job of ['checkout', 'build', 'test', 'package']) expect(row(out, job)?.[1]).toBe('pass');
    const test = row(out, 'test');
    expect(test?.[9]).toBe('8 shards passed');
    if (test?.[7] !== 'n/a') expect(Number(test?.[7])).toBeGreaterThanOrEqual(9); // sh + 8 shards at once
    const flaky = row(out, 'flaky-test');
    expect(flaky?.[1]).toBe('fail (exit 3)');
    expect(flaky?.[8]).toBe('1'); // its forgotten `sleep 60`
    const pkg = row(out, 'package');
    expect(Number(pkg?.[5])).toBeGreaterThanOrEqual(38); // ~40 MiB held, under its 128 MiB limit
    expect(Number(pkg?.[3])).toBeGreaterThan(0); // cpu time accounted
    const small = row(out, 'package-small');
    expect(small?.[1]).toBe('killed (SIGKILL)');
    expect(Number(small?.[6])).toBeGreaterThanOrEqual(1);
    expect(out).toContain('processes jobs left running: 1; still alive after their groups were deleted: 0');
    expect(out).toMatch(/^pipeline: 4\/6 passed in \d+ ms$/m);
    expectCgroupGone(/^pipeline (\S+) /m.exec(out)?.[1]);
  });

  it('live-migration.ts: a counter moves from netns A to netns B through a page server and counts on', () => {
    const out = runExample('live-migration.ts');
    const hosts = /^hosts: (\S+) \(10\.231\.9\.1\) <-veth-> (\S+) \(10\.231\.9\.2\)$/m.exec(out);
    expect(hosts).not.toBeNull();
    expect(out).toMatch(/^counter pid \d+ runs on host A: true; count rising$/m);
    const sent = /^dumped on A: (\d+) pages sent over the veth; page images on A: 0, on B: 1$/m.exec(out);
    expect(Number(sent?.[1])).toBeGreaterThanOrEqual(8 * 256); // the counter's 8 MiB went to B
    expect(out).toContain('source process ended by SIGKILL');
    const restored = /^restored as pid (\d+) \(the same pid\) on host B: true$/m.exec(out);
    expect(restored).not.toBeNull();
    const counts = /^counter continued: true \((\d+) at dump, (\d+) next\)$/m.exec(out);
    expect(Number(counts?.[1])).toBeGreaterThan(0);
    expect(out).toContain('cleaned up: hosts gone true, images gone true');
    // From outside: iproute2 sees neither host nor veth, and the restored process is gone.
    const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const name of [hosts?.[1], hosts?.[2]]) expect(netns).not.toContain(name);
    expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toMatch(new RegExp(`${hosts?.[1]?.replace(/-a$/, '')}[ab]\\b`));
    expect(isRunning(Number(restored?.[1]))).toBe(false);
  });
});
