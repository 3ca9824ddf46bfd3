import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { root, tool } from '../test-support/tools.js';

const runExample = (file: string) => execFileSync('pnpm', ['exec', 'tsx', `examples/${file}`], { encoding: 'utf8', timeout: 60_000 });
const canRun = root() && tool('busybox');

describe.runIf(canRun)('container examples (need root and busybox-static)', () => {
  it('demo.ts (the main demo) shows each primitive from inside a limited busybox container, then checkpoints and restores a counter', () => {
    const out = runExample('demo.ts');
    expect(out).toMatch(/container demo-\d+ is created/);
    expect(out).toMatch(/^pid namespace: +I am pid 1 \(sh\); processes visible: 1$/m);
    expect(out).toMatch(/^uts namespace: +hostname kc-demo$/m);
    expect(out).toMatch(/^net namespace: +interfaces lo $/m);
    expect(out).toMatch(/^mnt namespace: +root is ro, \d+ mounts, \/proc\/keys masked: 0 bytes$/m);
    expect(out).toMatch(/^cgroup limits: +memory 134217728, pids 32$/m);
    expect(out).toMatch(/^capabilities: +00000000a80425fb/m);
    expect(out).toMatch(/^no_new_privs: +1$/m);
    expect(out).toMatch(/^seccomp: +mode 2; unshare\(2\) is refused: Operation not permitted$/m);
    expect(out).toMatch(/^rlimit nofile: +1024$/m);
    expect(out).toMatch(/"exitCode":0.*container is stopped/);
    const dumped = Number(/checkpointed demo-ckpt-\d+ at count (\d+)/.exec(out)?.[1]);
    const still = Number(/the count is still (\d+)/.exec(out)?.[1]);
    const after = Number(/count is now (\d+): it continued from (\d+)/.exec(out)?.[1]);
    expect(dumped).toBeGreaterThan(2);
    expect(still).toBe(dumped);
    expect(after).toBeGreaterThan(dumped);
    expect(after).toBeLessThan(dumped + 40);
  });

  it('container-exec.ts execs into the running container, pauses, resumes and deletes it', () => {
    const out = runExample('container-exec.ts');
    expect(out).toMatch(/^started: running, pid \d+$/m);
    expect(out).toMatch(/^exec sees pid 1 as: sleep, itself as pid \d+$/m);
    expect(out).toContain('same pid namespace as the container: true');
    expect(out).toContain('after pause: paused');
    expect(out).toContain('after resume: running');
    expect(out).toContain('deleted; processes left in its cgroup: 0');
  });

  it('container-overlay.ts lands the changes in the upper dir and leaves the layer alone', () => {
    const out = runExample('container-overlay.ts');
    expect(out).toContain('wrote');
    expect(out).toContain("files in the upper dir (the container's changes): /bin/vi /root/note");
    expect(out).toContain('lower layer still has /bin/vi: true');
  });
});
