import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const runExample = (file: string) => execFileSync('pnpm', ['exec', 'tsx', `examples/${file}`], { encoding: 'utf8' });

describe('criu examples', () => {
  it('criu-checkpoint.ts dumps a namespaced counter, restores it, and it keeps counting', () => {
    const out = runExample('criu-checkpoint.ts');
    expect(out).toMatch(/^criu \d+\.\d+/m);
    expect(out).toMatch(/dumped pid \d+: \d+ pages written; the process was killed by SIGKILL/);
    expect(out).toContain('counter at dump: positive');
    expect(out).toContain('pstree: pid 1 ppid 0 sid 1 threads 1');
    expect(out).toContain('inventory: image version 2');
    expect(out).toContain('restored as host pid ok, pid 1 in its namespace');
    expect(out).toContain('counter continued: true');
    expect(out).toContain('restored process ended by SIGKILL');
  });

  it('criu-notify.ts vetoes a dump, lists notifications, and shows typed errors', () => {
    const out = runExample('criu-notify.ts');
    expect(out).toContain("veto: VETOED: criu dump: vetoed by the 'pre-dump' notification handler");
    expect(out).toContain('images after veto: false');
    expect(out).toMatch(/events: pre-dump, .*post-dump/);
    expect(out).toContain('error: ESRCH field=pid hint=yes');
    expect(out).toContain('error: INVALID_ARGUMENT field=logFile hint=yes');
  });
});
