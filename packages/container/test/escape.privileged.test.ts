import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Container } from '@kc/container';
import { afterAll, describe, expect, it } from 'vitest';
import { makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const root = tempDir('kc-state-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `script` in a fresh default container and returns stdout and the exit code. */
async function runIn(script: string, edit?: Parameters<typeof makeBundle>[1], init = false, prepare?: (rootfs: string) => void) {
  const { bundle, cleanup } = makeBundle(['sh', '-c', script], edit);
  prepare?.(join(bundle, 'rootfs'));
  try {
    await using c = await Container.create({ id: uniqueId('esc'), bundle, root, init, stdio: ['ignore', 'pipe', 'pipe'] });
    await c.start();
    let out = '';
    for await (const chunk of c.process!.stdout!) out += chunk;
    return { out, exit: await c.wait() };
  } finally {
    cleanup();
  }
}

describe.runIf(probe.root && probe.busybox)('escape suite: each attempt is blocked (needs root and busybox-static)', () => {
  it('a symlinked mount destination resolves inside the rootfs, never on the host', async () => {
    const hostDir = tempDir('kc-escape-target-');
    try {
      const r = await runIn(
        `grep -c " ${hostDir}/inner tmpfs " /proc/mounts`,
        (cfg) => cfg.mounts!.push({ destination: '/evil/inner', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] }),
        false,
        (rootfs) => {
          // Absolute and ../-laden: outside a RESOLVE_IN_ROOT walk this would name the host's dir.
          symlinkSync(`/../../../../../../..${hostDir}`, join(rootfs, 'evil'));
          mkdirSync(join(rootfs, hostDir), { recursive: true });
        },
      );
      // The tmpfs landed on the in-root path the symlink names; the host directory got nothing.
      expect(r.out.trim()).toBe('1');
      expect(existsSync(join(hostDir, 'inner'))).toBe(false);
    } finally {
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  it('/proc/self/exe of the runtime helper cannot be overwritten (sealed memfd, CVE-2019-5736)', async () => {
    const helper = readFileSync(join(import.meta.dirname, '../build/kc-init'));
    const before = createHash('sha256').update(helper).digest('hex');
    const r = await runIn(
      'readlink /proc/1/exe; echo evil > /proc/1/exe && echo WROTE; dd if=/dev/zero of=/proc/1/exe bs=1 count=1 conv=notrunc 2>/dev/null && echo WROTE2; echo done',
      undefined,
      true,
    );
    expect(r.out).toMatch(/memfd:kc-init/);
    expect(r.out).not.toMatch(/WROTE/);
    expect(r.out).toMatch(/done/);
    const after = createHash('sha256')
      .update(readFileSync(join(import.meta.dirname, '../build/kc-init')))
      .digest('hex');
    expect(after).toBe(before);
  });

  it('no host fd and no host cwd leak in: only stdio is open, cwd is the container root', async () => {
    const r = await runIn('ls /proc/self/fd | tr "\\n" " "; echo; readlink /proc/1/cwd; cd /..; pwd; ls / | wc -l; ls /.. | wc -l');
    const [fds, cwd, up, n1, n2] = r.out.trim().split('\n');
    // 0-2 are stdio, 3 is ls's own directory fd; kc-init's memfd and the exec fifo fd are gone.
    expect(fds?.trim()).toBe('0 1 2 3');
    expect(cwd).toBe('/');
    expect(up).toBe('/');
    expect(n1).toBe(n2);
  });

  it('masked paths read empty and read-only paths refuse writes', async () => {
    const r = await runIn(
      [
        'cat /proc/kcore 2>/dev/null | wc -c',
        'ls /sys/firmware | wc -l',
        'cat /proc/timer_list | wc -c',
        'v=$(cat /proc/sys/kernel/printk_ratelimit); echo $v > /proc/sys/kernel/printk_ratelimit 2>/dev/null && echo WROTE-SYS',
        'echo h > /proc/sysrq-trigger 2>/dev/null && echo WROTE-SYSRQ',
        'echo x > /sys/kernel/uevent_helper 2>/dev/null && echo WROTE-SYSFS',
        'mount -t tmpfs none /mnt 2>/dev/null && echo MOUNTED',
        'echo done',
      ].join('; '),
    );
    const lines = r.out.trim().split('\n');
    expect(lines.slice(0, 3).map((l) => l.trim())).toEqual(['0', '0', '0']);
    expect(r.out).not.toMatch(/WROTE|MOUNTED/);
    expect(lines.at(-1)).toBe('done');
  });
});
