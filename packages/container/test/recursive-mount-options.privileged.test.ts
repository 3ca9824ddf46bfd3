/**
 * runtime-spec 1.1's recursive mount options, the same bundle under runc (the
 * oracle) and kc: `rbind,rro` leaves nothing writable below the mount, plain
 * `rbind,ro` only the top (parity), and `rnosuid`/`rnoexec` reach the
 * submount. The bound host directory has a tmpfs submount, as /dev has /dev/shm.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountAttrSupport } from '@kc/native';
import { mountNow, unmountNow } from '@kc/namespaces';
import { KC, leftoverCgroups, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const RUNTIMES = ['runc', 'kc'] as const;
type Runtime = (typeof RUNTIMES)[number];

/** Inside: try to create a file at each path, printing `path written` or `path <strerror>`; then the mountinfo lines of /data. */
const SCRIPT = [
  ...['/data/top', '/data/sub/below'].map((p) => `if msg=$(echo x 2>&1 > ${p}); then echo "${p} written"; else echo "${p} \${msg##*: }"; fi`),
  'grep " /data" /proc/self/mountinfo',
].join('; ');

/** The per-mount options (mountinfo field 6) of `point` in a container's output. */
function mountOptions(out: string, point: string): string[] {
  const line = out.split('\n').find((l) => l.split(' ')[4] === point);
  return (line?.split(' ')[5] ?? '').split(',');
}

describe.runIf(probe.root && probe.busybox && probe.runc)('recursive mount options: runc and kc on one bundle (needs root, busybox-static, runc)', () => {
  const stateRoot = tempDir('kc-rmo-state-');
  const host = tempDir('kc-rmo-host-');
  const src = join(host, 'src');
  const sub = join(src, 'sub');

  beforeAll(() => {
    mkdirSync(sub, { recursive: true });
    mountNow({ source: 'tmpfs', target: sub, fstype: 'tmpfs', data: 'size=1m,mode=0777' });
  });
  afterAll(() => {
    if (existsSync(sub)) unmountNow(sub);
    rmSync(host, { recursive: true, force: true });
    rmSync(stateRoot, { recursive: true, force: true });
  });

  /** What the host directory holds besides the submount, with the submount's files as `sub/<name>`. */
  const hostFiles = () => [...readdirSync(src).filter((f) => f !== 'sub'), ...readdirSync(sub).map((f) => `sub/${f}`)].sort();
  const clean = () => {
    for (const f of hostFiles()) rmSync(join(src, f));
  };

  /** Runs the script with `options` on the /data bind under one runtime; returns its stdout and what it left on the host. */
  function runWith(rt: Runtime, options: string[]): { out: string; files: string[] } {
    clean();
    const { bundle, cleanup } = makeBundle(['sh', '-c', SCRIPT], (c) => {
      c.mounts!.push({ type: 'bind', source: src, destination: '/data', options });
    });
    const id = uniqueId(`rmo-${rt}`);
    try {
      const r = spawnSync(rt === 'runc' ? 'runc' : KC, ['--root', join(stateRoot, rt), 'run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, `${rt}: ${r.stderr}`).toBe(0);
      if (rt === 'kc') expect(leftoverCgroups(id)).toEqual([]);
      return { out: r.stdout, files: hostFiles() };
    } finally {
      if (rt === 'runc') spawnSync('runc', ['--root', join(stateRoot, rt), 'delete', '--force', id]);
      cleanup();
      clean();
    }
  }

  describe.skipIf(!mountAttrSupport().mountSetattr)('with mount_setattr(2) (Linux 5.12+)', () => {
    it('`features` lists the recursive options runc lists', () => {
      const recursive = (json: string) =>
        (JSON.parse(json) as { mountOptions: string[] }).mountOptions
          .filter((o) => /^r(ro|rw|(no)?(suid|dev|exec|atime|diratime|relatime|strictatime|symfollow))$/.test(o))
          .sort();
      const runc = spawnSync('runc', ['features'], { encoding: 'utf8' });
      const kc = spawnSync(KC, ['features'], { encoding: 'utf8' });
      expect(recursive(runc.stdout)).toContain('rro');
      expect(recursive(kc.stdout)).toEqual(recursive(runc.stdout));
    });

    it('rbind,rro: neither the directory nor its submount is writable, under runc and kc', () => {
      for (const rt of RUNTIMES) {
        const { out, files } = runWith(rt, ['rbind', 'rro']);
        expect(out, rt).toContain('/data/top Read-only file system');
        expect(out, rt).toContain('/data/sub/below Read-only file system');
        expect(mountOptions(out, '/data/sub'), rt).toContain('ro');
        expect(files, rt).toEqual([]);
      }
    });

    it('rbind,rnosuid,rnoexec: the submount is nosuid and noexec inside, under runc and kc', () => {
      const seen = RUNTIMES.map((rt) => {
        const { out, files } = runWith(rt, ['rbind', 'rnosuid', 'rnoexec']);
        const opts = mountOptions(out, '/data/sub');
        expect(opts, rt).toEqual(expect.arrayContaining(['rw', 'nosuid', 'noexec']));
        expect(mountOptions(out, '/data'), rt).toEqual(expect.arrayContaining(['nosuid', 'noexec']));
        expect(files, rt).toEqual(['sub/below', 'top']);
        return opts.filter((o) => ['ro', 'rw', 'nosuid', 'nodev', 'noexec'].includes(o)).sort();
      });
      expect(seen[1]).toEqual(seen[0]);
    });
  });

  it('rbind,ro: only the top is read-only, the submount stays writable, in both (parity)', () => {
    for (const rt of RUNTIMES) {
      const { out, files } = runWith(rt, ['rbind', 'ro']);
      expect(out, rt).toContain('/data/top Read-only file system');
      expect(out, rt).toContain('/data/sub/below written');
      expect(mountOptions(out, '/data/sub'), rt).toContain('rw');
      expect(files, rt).toEqual(['sub/below']);
    }
  });
});
