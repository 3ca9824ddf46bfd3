import { execFileSync } from 'node:child_process';
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

  it('cgroups-freeze.ts freezes, thaws, kills and deletes', () => {
    const out = runExample('cgroups-freeze.ts');
    expect(out).toContain('frozen: true; count did not move while frozen: true');
    expect(out).toContain('thawed: count moved on: true');
    expect(out).toContain('after kill: populated false; child ended by SIGKILL');
    expect(out).toContain('group deleted');
  });
});
