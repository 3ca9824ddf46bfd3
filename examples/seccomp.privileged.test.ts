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
});
