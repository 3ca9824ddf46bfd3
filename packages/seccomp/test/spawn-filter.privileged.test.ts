import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from '@kc/native';
import { afterAll, describe, expect, it } from 'vitest';
import { Act, arg, compile, type Policy, policy, toSpawnSeccomp } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), `kc-test-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[], p: Policy) {
  const child = spawn({
    argv,
    noNewPrivileges: true,
    seccomp: toSpawnSeccomp(compile(p)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => chunks.push(c));
  child.stderr?.on('data', (c: Buffer) => chunks.push(c));
  const status = await child.exited;
  return { ...status, output: Buffer.concat(chunks).toString() };
}

describe('filters installed by the spawn pipeline act on a real child', () => {
  it('a child denied mkdir gets EPERM; one allowed creates the directory', async () => {
    const denied = join(dir, 'denied');
    const r = await run(['/bin/busybox', 'mkdir', denied], policy(Act.allow).errno(1, 'mkdir', 'mkdirat').build());
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toMatch(/Operation not permitted/);
    expect(existsSync(denied)).toBe(false);

    const allowed = join(dir, 'allowed');
    const ok = await run(['/bin/busybox', 'mkdir', allowed], policy(Act.allow).errno(1, 'rmdir').build());
    expect(ok.exitCode).toBe(0);
    expect(existsSync(allowed)).toBe(true);
  });

  it('KILL_PROCESS kills the child with SIGSYS', async () => {
    const r = await run(['/bin/busybox', 'mkdir', join(dir, 'killed')], policy(Act.allow).kill('mkdir', 'mkdirat').build());
    expect(r.signal).toBe('SIGSYS');
    expect(existsSync(join(dir, 'killed'))).toBe(false);
  });

  it('argument filtering tells socket(AF_INET) from socket(AF_UNIX)', async () => {
    const script = [
      'import socket',
      'for fam in (socket.AF_UNIX, socket.AF_INET):',
      '    try:',
      '        socket.socket(fam, socket.SOCK_STREAM).close(); print(int(fam), "ok")',
      '    except OSError as e:',
      '        print(int(fam), e.errno)',
    ].join('\n');
    const p = policy(Act.allow).rule('socket', Act.errno(13), arg(0).eq(2)).build(); // AF_INET -> EACCES
    const r = await run(['/usr/bin/python3', '-c', script], p);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('1 ok');
    expect(r.output).toContain('2 13');
  });

  it('calls newer than the profile fail with ENOSYS; older unlisted ones get the default action', async () => {
    const p = policy(Act.allow).errno(1, 'mkdirat').enosysAfter('pidfd_open').build();
    // close_range (436) is newer than pidfd_open (434): ENOSYS (38). pidfd_open(0, 0) itself reaches the kernel: EINVAL (22).
    const script = [
      'import ctypes',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'print(libc.syscall(436, 1000, 1001, 0), ctypes.get_errno())',
      'print(libc.syscall(434, 0, 0), ctypes.get_errno())',
    ].join('\n');
    const r = await run(['/usr/bin/python3', '-c', script], p);
    expect(r.output.trim().split('\n')).toEqual(['-1 38', '-1 22']);
  });
});
