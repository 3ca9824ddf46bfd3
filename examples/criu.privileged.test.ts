import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Criu, CriuError } from '@kc/criu';
import { minimalMounts } from '@kc/namespaces';
import { spawn } from '@kc/native';

const runExample = (file: string) => execFileSync('pnpm', ['exec', 'tsx', `examples/${file}`], { encoding: 'utf8' });
const hostMountPoints = () =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4]);

/**
 * Mounts like other containers leave on a host, all under a directory this
 * test owns: an overlay (a container's rootfs), a tmpfs with a bind submount,
 * and an nsfs mount (a persisted network namespace, as `ip netns add` makes).
 * A process given a copy of the host's mount table carries them all.
 */
const other = { dir: '', mounts: [] as string[] };
beforeAll(() => {
  other.dir = mkdtempSync(join(tmpdir(), 'kc-test-criu-mounts-'));
  const at = (p: string) => join(other.dir, p);
  for (const d of ['lower', 'upper', 'work', 'merged', 'tm']) mkdirSync(at(d));
  writeFileSync(at('lower/file'), 'layer');
  writeFileSync(at('netns'), '');
  const mount = (args: string[], target: string) => {
    execFileSync('mount', [...args, target]);
    other.mounts.push(target);
  };
  mount(['-t', 'overlay', 'overlay', '-o', `lowerdir=${at('lower')},upperdir=${at('upper')},workdir=${at('work')}`], at('merged'));
  mount(['-t', 'tmpfs', 'tmpfs'], at('tm'));
  mkdirSync(at('tm/sub'));
  mount(['--bind', at('lower')], at('tm/sub'));
  execFileSync('unshare', [`--net=${at('netns')}`, 'true']); // binds the new netns's nsfs file onto netns
  other.mounts.push(at('netns'));
  // The counter of examples/criu-checkpoint.ts, for the failing cases below (it closes its stdio unless KC_COUNTER_KEEP_STDIO=1).
  execFileSync('cc', ['-O2', '-o', at('counter'), 'packages/criu/test/fixtures/counter.c']);
});
afterAll(() => {
  // Ours only, by path, the last made first.
  for (const target of other.mounts.reverse()) execFileSync('umount', [target]);
  if (other.dir) rmSync(other.dir, { recursive: true, force: true });
});

describe('criu examples (the host has other mounts: overlay, tmpfs with a bind submount, nsfs)', () => {
  it('the other mounts are in the host table', () => {
    const points = hostMountPoints();
    for (const m of other.mounts) expect(points).toContain(m);
  });

  it('a counter given a copy of the whole host mount table cannot be dumped (the nsfs mount)', async () => {
    const counter = join(other.dir, 'counter');
    const countFile = join(other.dir, 'count');
    await using proc = spawn({ argv: [counter, countFile, '20'], namespaces: ['pid', 'mnt'], setsid: true, stdio: ['ignore', 'ignore', 'ignore'] });
    await expect.poll(() => readFileSync(countFile, 'utf8'), { timeout: 10_000, interval: 10 }).toMatch(/^\d+\n$/);
    const error = await new Criu().dump({ pid: proc.pid, imagesDir: join(other.dir, 'images') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CriuError);
    expect((error as CriuError).message).toContain(`${join(other.dir, 'netns').slice(1)} doesn't have a proper root mount`);
    // CRIU gave up and let it run: the dump killed nothing.
    expect(readFileSync(`/proc/${proc.pid}/status`, 'utf8')).toMatch(/^State:\s+[RS]/m);
  });

  it("even in a minimal mount namespace, a host /dev/null fd (what 'ignore' once passed) cannot be dumped", async () => {
    const counter = join(other.dir, 'counter');
    const countFile = join(other.dir, 'count-hostfd');
    const hostNull = openSync('/dev/null', 'r+');
    try {
      await using proc = spawn({
        argv: [counter, countFile, '20'],
        env: { KC_COUNTER_KEEP_STDIO: '1' },
        namespaces: ['pid', 'mnt'],
        mounts: minimalMounts(),
        setsid: true,
        stdio: [hostNull, hostNull, hostNull],
      });
      await expect.poll(() => existsSync(countFile), { timeout: 10_000, interval: 10 }).toBe(true);
      const error = await new Criu().dump({ pid: proc.pid, imagesDir: join(other.dir, 'images-hostfd') }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CriuError);
      expect((error as CriuError).message).toMatch(/Can't lookup mount=\d+ for fd=0 path=\/dev\/null/);
    } finally {
      closeSync(hostNull);
    }
  });

  it('criu-checkpoint.ts spawns a counter CRIU-friendly, dumps it, restores it, and it keeps counting', () => {
    const out = runExample('criu-checkpoint.ts');
    expect(out).toContain("in the counter's namespace: / /dev /proc");
    expect(out).toContain("stdio: /dev/null /dev/null /dev/null, on the namespace's own /dev: true");
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
