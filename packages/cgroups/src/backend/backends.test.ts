import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cgroup } from '../cgroup.js';
import { CgroupError } from '../errors.js';
import { detectLayout } from '../layout/detect.js';
import type { HybridBackend } from './hybrid.js';
import { backendFor } from './select.js';

// Backends run on a tmpdir tree standing in for /sys/fs/cgroup (youki-style
// root seam): directories and plain files, so only kc's own logic is tested.
const tmp = mkdtempSync(join(tmpdir(), 'kc-cg-backend-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

const hybridMountinfo = [
  '1 0 0:1 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset',
  '2 0 0:2 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
  '3 0 0:3 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw',
].join('\n');

describe('v2 backend', () => {
  it('enables controllers in every ancestor subtree_control before mkdir (unified)', () => {
    const root = tree('v2', {
      'sys/fs/cgroup/cgroup.controllers': 'cpu memory pids',
      'sys/fs/cgroup/cgroup.subtree_control': '',
    });
    const layout = detectLayout({
      fsRoot: root,
      mountinfo: '1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw',
      procCgroup: '0::/\n',
    });
    const b = backendFor(layout);
    expect(b.kind).toBe('v2');
    expect(b.mkdir('/job', ['memory', 'pids', 'io'])).toEqual([join(root, 'sys/fs/cgroup/job')]);
    // `io` is not available at the root, so it is not asked for.
    expect(readFileSync(join(root, 'sys/fs/cgroup/cgroup.subtree_control'), 'utf8')).toBe('+memory +pids');
    expect(b.placement('/job')).toEqual({
      cloneDir: join(root, 'sys/fs/cgroup/job'),
      procsFiles: [],
    });
  });
});

describe('v1 and hybrid backends', () => {
  const root = tree('hy', {
    'sys/fs/cgroup/cpuset/cpuset.cpus': '0-3\n',
    'sys/fs/cgroup/cpuset/cpuset.mems': '0\n',
    'sys/fs/cgroup/memory/cgroup.procs': '',
    'sys/fs/cgroup/unified/cgroup.controllers': 'hugetlb',
    'sys/fs/cgroup/unified/cgroup.subtree_control': '',
  });
  const layout = detectLayout({
    fsRoot: root,
    mountinfo: hybridMountinfo,
    procCgroup: '0::/\n',
  });

  it('copies the parent cpuset into a new v1 cpuset group and lists one dir per hierarchy', () => {
    const b = backendFor(layout);
    expect(b.kind).toBe('hybrid');
    b.mkdir('/g', b.controllers);
    expect(readFileSync(join(root, 'sys/fs/cgroup/cpuset/g/cpuset.cpus'), 'utf8')).toBe('0-3');
    expect(b.dirs('/g').map((d) => d.slice(root.length))).toEqual(['/sys/fs/cgroup/cpuset/g', '/sys/fs/cgroup/memory/g', '/sys/fs/cgroup/unified/g']);
    expect(b.placement('/g').procsFiles.map((d) => d.slice(root.length))).toEqual([
      '/sys/fs/cgroup/cpuset/g/cgroup.procs',
      '/sys/fs/cgroup/memory/g/cgroup.procs',
    ]);
  });

  it('sends each resource to the version holding its controller', () => {
    const b = backendFor(layout) as HybridBackend;
    const { r1, r2 } = b.split({ memory: { max: 1 }, hugetlb: { '2MB': 4 } });
    expect(Object.keys(r1)).toEqual(['memory']);
    expect(Object.keys(r2)).toEqual(['hugetlb']);
    const writes = b.plan('/g', {
      memory: { max: 1 << 20 },
      hugetlb: { '2MB': 'max' },
    });
    expect(writes.map((w) => w.path.slice(root.length))).toEqual(['/sys/fs/cgroup/memory/g/memory.limit_in_bytes', '/sys/fs/cgroup/unified/g/hugetlb.2MB.max']);
  });

  it('rejects a controller no hierarchy has, before writing', () => {
    const b = backendFor(layout);
    expect(() => b.plan('/g', { pids: { max: 3 } })).toThrow(/pids controller is not available/);
  });

  it('removes what Cgroup.create made when a later step fails', () => {
    // (No cpuset here: on a plain tmpfs its copied files would keep rmdir from working.)
    const r2 = tree('rollback', {
      'sys/fs/cgroup/memory/cgroup.procs': '',
      'sys/fs/cgroup/unified/cgroup.controllers': '',
    });
    const l2 = detectLayout({
      fsRoot: r2,
      mountinfo: hybridMountinfo.split('\n').slice(1).join('\n'),
      procCgroup: '0::/\n',
    });
    // A file where the v2 directory of the second level must go: mkdir fails with ENOTDIR.
    mkdirSync(join(r2, 'sys/fs/cgroup/unified/outer'));
    writeFileSync(join(r2, 'sys/fs/cgroup/unified/outer/inner'), 'not a directory');
    let err: unknown;
    try {
      Cgroup.create('outer/inner', { layout: l2 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CgroupError);
    expect((err as CgroupError).code).toBe('EEXIST');
    expect(existsSync(join(r2, 'sys/fs/cgroup/memory/outer/inner'))).toBe(false);
    expect(existsSync(join(r2, 'sys/fs/cgroup/memory/outer'))).toBe(false);
  });
});
