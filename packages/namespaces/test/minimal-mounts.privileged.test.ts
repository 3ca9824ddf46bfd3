/**
 * minimalMounts: the child's mount namespace holds the host root alone, the
 * mounts kept, a fresh /proc and /dev, and none of the host's other mounts.
 * Checked from outside through /proc/PID/mountinfo, against host mounts this
 * test makes (a tmpfs with a bind submount under its own temp dir).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from '@kc/native';
import { minimalMounts } from '@kc/namespaces';
import { collect, waitFor } from './helpers.js';

/** mountinfo lines of a process as { point, options, fstype }. */
function mountsOf(pid: number | 'self') {
  return readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const f = l.split(' ');
      return { point: f[4] as string, options: (f[5] as string).split(','), fstype: f[f.indexOf('-') + 1] as string };
    });
}

describe('minimalMounts: a mount namespace without the host mount table', () => {
  let dir = '';
  const made: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kc-test-minimal-mounts-'));
    mkdirSync(join(dir, 'keep'));
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', join(dir, 'keep')]);
    made.push(join(dir, 'keep'));
    writeFileSync(join(dir, 'keep/data'), 'kept');
    mkdirSync(join(dir, 'keep/sub'));
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', join(dir, 'keep/sub')]);
    made.push(join(dir, 'keep/sub'));
  });
  afterAll(() => {
    for (const m of made.reverse()) execFileSync('umount', [m]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('has exactly /, the kept mounts (without their submounts), /proc and /dev; the root read-only when asked', async () => {
    const keep = join(dir, 'keep');
    // Where the temp dir is not on the root filesystem (a tmpfs /tmp), its mount is kept too, as the mount point of `keep`.
    const home = mountsOf('self')
      .map((m) => m.point)
      .filter((m) => m !== '/' && dir.startsWith(`${m}/`))
      .sort((a, b) => b.length - a.length)[0];
    const kept = home ? [home, keep] : [keep];
    const p = spawn({
      argv: ['/bin/sh', '-c', `cat ${keep}/data; read _`],
      namespaces: ['mnt', 'pid'],
      mounts: minimalMounts({ keep: [...kept].reverse(), readonly: true }),
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    try {
      const out = collect(p.stdout);
      const mounts = mountsOf(p.pid);
      expect(mountsOf('self').length).toBeGreaterThan(mounts.length);
      expect(mounts.map((m) => m.point).sort()).toEqual(['/', '/dev', '/proc', ...kept].sort());
      expect(mounts.find((m) => m.point === '/')?.options).toContain('ro');
      for (const k of kept) expect(mounts.find((m) => m.point === k)?.options).toContain('rw');
      expect(mounts.find((m) => m.point === '/proc')?.fstype).toBe('proc');
      expect(mounts.find((m) => m.point === '/dev')?.fstype).toBe('tmpfs');
      // The child's /proc is its pid namespace's: it is pid 1 there.
      expect(readFileSync(`/proc/${p.pid}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m);
      await waitFor(out, 'kept');
      p.stdin?.end('\n');
      expect(out()).toBe('kept');
      expect((await p.exited).exitCode).toBe(0);
    } finally {
      p.kill('SIGKILL');
    }
  });
});
