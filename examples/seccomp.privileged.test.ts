import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('seccomp examples', () => {
  it('seccomp-deny-mkdir.ts shows mkdir failing with EPERM', () => {
    const out = execFileSync('pnpm', ['exec', 'tsx', 'examples/seccomp-deny-mkdir.ts'], { encoding: 'utf8' });
    expect(out).toMatch(/filter: \d+ instructions/);
    expect(out).toContain('ld  [arch]');
    expect(out).toMatch(/child exit code: [1-9]/);
    expect(out).toContain('Operation not permitted');
  });

  it("seccomp-supervise.ts answers the child's mkdir calls from TypeScript", () => {
    const out = execFileSync('pnpm', ['exec', 'tsx', 'examples/seccomp-supervise.ts'], { encoding: 'utf8' });
    expect(out).toMatch(/mkdir(at)?\(\/tmp\/kc-example-\w+\/allowed\) -> continue/);
    expect(out).toMatch(/mkdir(at)?\(\/tmp\/kc-example-\w+\/forbidden\) -> EACCES/);
    expect(out).toContain('Permission denied');
    expect(out).toContain('allowed exists: true, forbidden exists: false');
  });
});
