/**
 * Read-only means the whole tree: a read-only bind or root made with
 * MountPlan leaves no writable submount (mount_setattr(2) AT_RECURSIVE),
 * unless the caller opts out. Checked from outside: what the child could
 * write shows up (or not) in the host directories.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountAttrSupport, spawn } from '@kc/native';
import { MountPlan, mountNow, unmountNow } from '@kc/namespaces';
import { collect } from './helpers.js';
import { busyboxRootfs } from './rootfs.js';

/** The child's script: try to create a file at each path and print `path written` or `path <strerror>`, one line each (no /dev needed). */
const tryWrites = (paths: string[]) => paths.map((p) => `if msg=$(echo x 2>&1 > ${p}); then echo "${p} written"; else echo "${p} \${msg##*: }"; fi`).join('; ');

/** The host's mount options of a mount point in our own namespace (field 6 of mountinfo). */
function hostMountOptions(point: string): string[] {
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === point);
  return (line?.split(' ')[5] ?? '').split(',');
}

async function run(mounts: ReturnType<MountPlan['steps']>, script: string): Promise<string> {
  const p = spawn({ argv: ['/bin/sh', '-c', script], namespaces: ['mnt', 'pid'], mounts, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = collect(p.stdout);
  const err = collect(p.stderr);
  const status = await p.exited;
  expect(status.exitCode, err()).toBe(0);
  return out();
}

describe.skipIf(!mountAttrSupport().mountSetattr)('MountPlan read-only is recursive (mount_setattr(2), Linux 5.12+)', () => {
  let base: string;
  let root: string;
  let src: string;
  let sub: string;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'kc-rro-'));
    root = busyboxRootfs();
    mkdirSync(join(root, 'data'));
    src = join(base, 'src');
    sub = join(src, 'sub');
    mkdirSync(sub, { recursive: true });
    // A submount of the bound directory, as /dev/shm is of /dev.
    mountNow({ source: 'tmpfs', target: sub, fstype: 'tmpfs', data: 'size=1m,mode=0777' });
  });

  afterAll(() => {
    if (sub && existsSync(sub)) unmountNow(sub);
    rmSync(base, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  const hostFiles = () => [...readdirSync(src).filter((f) => f !== 'sub'), ...readdirSync(sub).map((f) => `sub/${f}`)];
  const clean = () => {
    for (const f of hostFiles()) rmSync(join(src, f));
  };

  it('bind({ readonly }) makes the bound directory and its submount read-only (EROFS in both)', async () => {
    clean();
    const mounts = new MountPlan().rootfs(root).proc().bind(src, '/data', { readonly: true }).pivot().steps();
    const out = await run(mounts, `${tryWrites(['/data/top', '/data/sub/below'])}; grep " /data" /proc/self/mountinfo`);
    expect(out).toContain('/data/top Read-only file system');
    expect(out).toContain('/data/sub/below Read-only file system');
    // Both mounts are marked ro inside; the host's own tmpfs is untouched.
    expect(out).toMatch(/ \/data ro[, ]/);
    expect(out).toMatch(/ \/data\/sub ro[, ]/);
    expect(hostFiles()).toEqual([]);
    expect(hostMountOptions(sub)).toContain('rw');
  });

  it('bind({ readonly, recursiveReadonly: false }) opts out: the top is read-only, the submount writable', async () => {
    clean();
    const mounts = new MountPlan().rootfs(root).proc().bind(src, '/data', { readonly: true, recursiveReadonly: false }).pivot().steps();
    const out = await run(mounts, tryWrites(['/data/top', '/data/sub/below']));
    expect(out).toContain('/data/top Read-only file system');
    expect(out).toContain('/data/sub/below written');
    expect(hostFiles()).toEqual(['sub/below']);
    clean();
  });

  it("remountReadonly('/') leaves no writable mount below the root; { recursive: false } keeps the submounts' flags", async () => {
    const plan = () => new MountPlan().rootfs(root).proc().tmpfs('/tmp', { create: false, data: 'size=1m' }).pivot();
    const rec = await run(plan().remountReadonly('/').steps(), tryWrites(['/top', '/tmp/below']));
    expect(rec).toContain('/top Read-only file system');
    expect(rec).toContain('/tmp/below Read-only file system');
    const top = await run(plan().remountReadonly('/', { recursive: false }).steps(), tryWrites(['/top', '/tmp/below']));
    expect(top).toContain('/top Read-only file system');
    expect(top).toContain('/tmp/below written');
    expect(existsSync(join(root, 'top'))).toBe(false);
  });
});
