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
  it('sandbox-untrusted-code.ts: each snippet is stopped by the budget it breaks; the kernel accounts its CPU time', () => {
    const out = runExample('sandbox-untrusted-code.ts');
    // Columns: snippet, ended by, timed out, wall ms, exit cpu ms, cgroup cpu ms, exit max rss MiB, cgroup peak MiB, oom kills, verdict, output.
    const num = /^\d+$/;
    expect(row(out, 'normal')).toEqual([
      'normal',
      'exit 0',
      'no',
      expect.stringMatching(num),
      expect.stringMatching(num),
      expect.stringMatching(num),
      expect.stringMatching(num),
      expect.stringMatching(num),
      '0',
      'ok',
      'pid 1, uid 65534, host sandbox; / read-only; /tmp writable; CapEff: 0000000000000000; NoNewPrivs: 1; Seccomp: 2',
    ]);
    const hog = row(out, 'memory-hog');
    expect(hog?.slice(1, 3)).toEqual(['SIGKILL', 'no']);
    expect(Number(hog?.[7])).toBeGreaterThanOrEqual(60); // the cgroup's peak reached the 64 MiB limit
    expect(Number(hog?.[8])).toBeGreaterThanOrEqual(1); // and the cgroup counted an OOM kill
    expect(hog?.[9]).toBe('memory budget (64 MiB) exceeded: OOM-killed');
    expect(row(out, 'open-socket')?.slice(8)).toEqual(['0', 'denied system call (EPERM)', 'nc: socket: Operation not permitted']);
    // The busy loop: spawn's timeoutMs killed it and its exit status says timedOut.
    const loop = row(out, 'infinite-loop');
    expect(loop?.slice(1, 3)).toEqual(['SIGKILL', 'yes']);
    expect(Number(loop?.[3])).toBeGreaterThanOrEqual(1500);
    expect(loop?.[9]).toBe('time budget (1500 ms) exceeded: killed');
    // CPU time measured by the kernel twice: the rusage at reaping, and the cgroup's counter. Under the
    // half-CPU quota, 1.5 s of spinning is about 750 ms; both accounts see the same one process.
    const exitCpuMs = Number(loop?.[4]);
    const groupCpuMs = Number(loop?.[5]);
    expect(exitCpuMs).toBeGreaterThan(300);
    expect(groupCpuMs).toBeGreaterThan(300);
    expect(Math.abs(exitCpuMs - groupCpuMs)).toBeLessThan(50);
    expect(Number(loop?.[6])).toBeGreaterThan(0); // the exit status' peak RSS
    // Nothing else ran out of time.
    for (const name of ['normal', 'memory-hog', 'open-socket']) expect(row(out, name)?.[2]).toBe('no');
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
