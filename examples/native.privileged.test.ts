/** Runs examples/native-spawn.ts and checks what the child saw. */
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';

describe('@kc/native example', () => {
  it('native-spawn.ts: the child is pid 1 with its own hostname and only a loopback interface', () => {
    const out = execFileSync('pnpm', ['exec', 'tsx', 'examples/native-spawn.ts'], { encoding: 'utf8' });
    expect(out).toContain(`hostname ${hostname()}`);
    expect(out).toMatch(/^ {2}pid: 1$/m);
    expect(out).toMatch(/^ {2}hostname: kc-demo$/m);
    expect(out).toMatch(/^ {2}interfaces: lo\s*$/m);
    expect(out).toMatch(/^exit: code 0, signal null; CPU \d+ µs, peak RSS [1-9]\d* KiB$/m);
  });
});
