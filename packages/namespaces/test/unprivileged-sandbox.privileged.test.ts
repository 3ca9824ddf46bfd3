import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * examples/unprivileged-sandbox.ts run AS A PLAIN USER (a dedicated system
 * account, created here if missing and removed after), with bubblewrap, run
 * by the same user with the same checks, as the oracle.
 */
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const USER = 'kc-sbx-test';
let created = false;
let uid = -1;
let gid = -1;
let dir = '';

/** Runs a command as USER from the repository root; returns stdout and stderr together. */
function asUser(cmd: string, args: string[]): { out: string; status: number | null } {
  const r = spawnSync('runuser', ['-u', USER, '--', cmd, ...args], { cwd: REPO, encoding: 'utf8' });
  return { out: `${r.stdout}${r.stderr}`, status: r.status };
}

beforeAll(() => {
  if (spawnSync('id', ['-u', USER]).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
    created = true;
  }
  uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }));
  gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }));
  // The writable bind: outside /tmp (the sandbox's own tmpfs hides it), owned by the user.
  dir = mkdtempSync('/var/tmp/kc-sbx-test-');
  chownSync(dir, uid, gid);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (created) execFileSync('userdel', [USER]);
});

/** The same checks as the example's, for bwrap: one `key: value` line each. */
const CHECKS = [
  'echo "id: $(id -u):$(id -g)"',
  'echo "uid_map: $(cat /proc/self/uid_map | tr -s " " | sed "s/^ //")"',
  'touch /kc-sandbox-probe 2>&1 | sed "s/^/root write: /"',
  'echo "tmp: $(ls -A /tmp | wc -l) entries"',
  'grep CapEff /proc/self/status | tr -d "\\t" | sed "s/:/: /"',
].join('; ');

function line(out: string, key: string): string {
  const m = new RegExp(`^${key}: (.*)$`, 'm').exec(out);
  expect(m, `no "${key}:" line in:\n${out}`).not.toBeNull();
  return m![1]!;
}

describe('unprivileged SDK sandbox (user namespaces without root)', () => {
  it('runs as a plain user: own pids, read-only root, own /tmp, no capabilities, seccomp, host uid owns what it writes', () => {
    const { out, status } = asUser(join(REPO, 'node_modules/.bin/tsx'), ['examples/unprivileged-sandbox.ts', dir]);
    expect(status, out).toBe(0);
    expect(out).toContain(`running as uid ${uid}, gid ${gid}`);
    expect(line(out, 'id')).toBe('0:0'); // root of its own user namespace...
    expect(line(out, 'uid_map')).toBe(`0 ${uid} 1`); // ...which is the user alone
    // Its /proc is a fresh one of its pid namespace: pid 1 is its own shell, and only a handful of pids exist.
    expect(line(out, 'pid1')).toBe('sh');
    const pids = line(out, 'pids').trim().split(' ').map(Number);
    expect(pids[0]).toBe(1);
    expect(pids.length).toBeLessThan(10);
    expect(line(out, 'root write')).toMatch(/Read-only file system/); // EROFS
    expect(existsSync('/kc-sandbox-probe')).toBe(false);
    expect(line(out, 'tmp')).toBe('0 entries');
    expect(readdirSync('/tmp').length).toBeGreaterThan(0); // the host's /tmp is not what it saw
    expect(line(out, 'CapEff')).toBe('0000000000000000');
    expect(line(out, 'mkdir')).toMatch(/Operation not permitted/); // the seccomp filter's EPERM
    // Seen from the host: the file it created as its root belongs to the user.
    const made = statSync(join(dir, 'made-inside'));
    expect([made.uid, made.gid]).toEqual([uid, gid]);
    expect(line(out, 'exit code')).toBe('0');
  });

  it('sees what bubblewrap shows the same user (bwrap --unshare-all --ro-bind / / --tmpfs /tmp --proc /proc)', () => {
    const bwrap = asUser('/usr/bin/bwrap', [
      '--unshare-all',
      '--ro-bind',
      '/',
      '/',
      '--tmpfs',
      '/tmp',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--uid',
      '0',
      '--gid',
      '0',
      '/bin/sh',
      '-c',
      CHECKS,
    ]);
    const kc = asUser(join(REPO, 'node_modules/.bin/tsx'), ['examples/unprivileged-sandbox.ts', dir]);
    expect(bwrap.status, bwrap.out).toBe(0);
    for (const key of ['id', 'uid_map', 'tmp', 'CapEff']) expect(line(kc.out, key), key).toBe(line(bwrap.out, key));
    expect(line(kc.out, 'root write')).toBe(line(bwrap.out, 'root write'));
  });

  it('says what is missing when a plain user asks for what needs root', () => {
    const code = [
      "import { spawn } from '@kc/native';",
      "import { Cgroup } from '@kc/cgroups';",
      "try { spawn({ argv: ['/bin/true'], namespaces: ['mnt'] }); } catch (e) { console.log(['spawn:', e.code, e.step, e.message].join(' ')); }",
      "try { Cgroup.create('kc-sbx-test-' + process.pid); } catch (e) { console.log(['cgroup:', e.code, e.message].join(' ')); }",
      "try { spawn({ argv: ['/bin/true'], namespaces: ['user', 'mnt'], mounts: [{ kind: 'rootfs', path: '/' }, { kind: 'pivot' }] }); } catch (e) { console.log(['rootfs:', e.code, e.field].join(' ')); }",
    ].join('\n');
    const { out } = asUser(join(REPO, 'node_modules/.bin/tsx'), ['--eval', code]);
    expect(line(out, 'spawn')).toMatch(/^EPERM clone .*needs root \(or a user namespace/);
    expect(line(out, 'cgroup')).toMatch(/^EACCES .*needs root \(or a delegated cgroup\)/);
    // The host root cannot be pivoted into in place: refused before the kernel is touched, naming the field.
    expect(line(out, 'rootfs')).toBe('INVALID_ARGUMENT mounts[0].mountPoint');
  });
});
