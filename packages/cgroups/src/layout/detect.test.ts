import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CgroupError } from '../errors.js';
import { detectLayout, relativeToMount } from './detect.js';
import { parseCgroupMounts } from './mountinfo.js';
import { parseProcCgroup } from './proc-cgroup.js';

// Captured from the hybrid development machine.
const hybridMountinfo = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const hybridProc = `9:name=systemd:/
4:memory:/process_api/abc
2:cpuacct:/
1:cpu:/
0::/`;

const tmp = mkdtempSync(join(tmpdir(), 'kc-cg-detect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parseCgroupMounts', () => {
  it('reads v1 controllers, named hierarchies and the v2 mount', () => {
    const m = parseCgroupMounts(hybridMountinfo);
    expect(m.map((h) => [h.version, h.mountPoint, h.controllers.join(','), h.name ?? ''])).toEqual([
      [1, '/sys/fs/cgroup/cpu', 'cpu', ''],
      [1, '/sys/fs/cgroup/cpuacct', 'cpuacct', ''],
      [1, '/sys/fs/cgroup/memory', 'memory', ''],
      [1, '/sys/fs/cgroup/systemd', '', 'systemd'],
      [2, '/sys/fs/cgroup/unified', '', ''],
    ]);
  });
  it('handles co-mounted controllers, escapes and duplicate mounts', () => {
    const m = parseCgroupMounts(
      `1 0 0:5 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct,clone_children\n` +
        `2 0 0:5 / /mnt/my\\040dir rw - cgroup cgroup rw,cpu,cpuacct\n`,
    );
    expect(m).toHaveLength(1);
    expect(m[0]?.controllers).toEqual(['cpu', 'cpuacct']);
  });
});

describe('parseProcCgroup', () => {
  it('keeps colons inside paths', () => {
    expect(parseProcCgroup('0::/a:b\n')).toEqual([{ id: 0, controllers: [], path: '/a:b' }]);
  });
});

describe('detectLayout', () => {
  it('detects hybrid mode, controller homes and the own cgroup', () => {
    mkdirSync(join(tmp, 'h/sys/fs/cgroup/unified'), { recursive: true });
    writeFileSync(join(tmp, 'h/sys/fs/cgroup/unified/cgroup.controllers'), 'hugetlb memory\n');
    const l = detectLayout({
      fsRoot: join(tmp, 'h'),
      mountinfo: hybridMountinfo,
      procCgroup: hybridProc,
    });
    expect(l.mode).toBe('hybrid');
    expect(l.controllers.get('memory')?.version).toBe(1); // v1 holds it
    expect(l.controllers.get('hugetlb')?.version).toBe(2);
    expect(l.self.get('memory')).toBe('/process_api/abc');
    expect(l.self.get('')).toBe('/');
  });
  it('detects unified mode inside a cgroup namespace-like mount root', () => {
    mkdirSync(join(tmp, 'u/sys/fs/cgroup'), { recursive: true });
    writeFileSync(join(tmp, 'u/sys/fs/cgroup/cgroup.controllers'), 'cpuset cpu io memory pids\n');
    const l = detectLayout({
      fsRoot: join(tmp, 'u'),
      mountinfo: '30 1 0:26 /ctr /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n',
      procCgroup: '0::/ctr/app\n',
    });
    expect(l.mode).toBe('unified');
    expect([...l.controllers.keys()]).toEqual(['cpuset', 'cpu', 'io', 'memory', 'pids']);
    expect(l.self.get('')).toBe('/app');
  });
  it('detects legacy mode', () => {
    const l = detectLayout({
      fsRoot: tmp,
      mountinfo: hybridMountinfo.split('\n').slice(0, 4).join('\n'),
      procCgroup: hybridProc,
    });
    expect(l.mode).toBe('legacy');
    expect(l.unified).toBeUndefined();
  });
  it('throws UNSUPPORTED without any cgroup mount', () => {
    expect(() => detectLayout({ mountinfo: '', procCgroup: '' })).toThrow(CgroupError);
  });
  it('relativeToMount strips only a real prefix', () => {
    expect(relativeToMount('/a/b', '/a')).toBe('/b');
    expect(relativeToMount('/ab', '/a')).toBe('/ab');
    expect(relativeToMount('/a', '/a')).toBe('/');
  });
});
