import { describe, expect, it } from 'vitest';
import type { OciConfig } from '../oci/types.js';
import { cgroupBindMounts, namespacesByPath } from './checkpoint-externals.js';

const cgroupMount = { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro'] };
const hybrid = {
  version: 1 as const,
  hierarchies: [
    { dir: 'cpu', options: 'cpu' },
    { dir: 'pids', options: 'pids' },
  ],
  unifiedDir: 'unified',
};
const dirs = { cpu: '/sys/fs/cgroup/cpu/libpod_parent/x', pids: '/sys/fs/cgroup/pids/libpod_parent/x', unified: '/sys/fs/cgroup/unified/libpod_parent/x' };

describe('cgroupBindMounts', () => {
  it('keys each bound v1 hierarchy by its mount point (the unified tree of a hybrid host is not mounted inside)', () => {
    const config: OciConfig = { ociVersion: '1.0.2', mounts: [cgroupMount], linux: { namespaces: [{ type: 'mount' }] } };
    expect(cgroupBindMounts(config, dirs, hybrid)).toEqual([
      { destination: '/sys/fs/cgroup/cpu', source: dirs.cpu },
      { destination: '/sys/fs/cgroup/pids', source: dirs.pids },
    ]);
  });
  it('binds the one directory on a unified host', () => {
    const config: OciConfig = { ociVersion: '1.0.2', mounts: [cgroupMount] };
    expect(cgroupBindMounts(config, { '': '/sys/fs/cgroup/kc/x' }, { version: 2 })).toEqual([{ destination: '/sys/fs/cgroup', source: '/sys/fs/cgroup/kc/x' }]);
  });
  it('has none with a cgroup namespace of its own (fresh cgroup filesystems, dumped by CRIU)', () => {
    const config: OciConfig = { ociVersion: '1.0.2', mounts: [cgroupMount], linux: { namespaces: [{ type: 'cgroup' }] } };
    expect(cgroupBindMounts(config, dirs, hybrid)).toEqual([]);
  });
});

describe('namespacesByPath', () => {
  it('makes a joined net and pid namespace external under runc keys, and joins ipc/uts', () => {
    const config: OciConfig = {
      ociVersion: '1.0.2',
      linux: {
        namespaces: [
          { type: 'network', path: '/run/netns/a' },
          { type: 'pid', path: '/proc/9/ns/pid' },
          { type: 'uts', path: '/proc/9/ns/uts' },
          { type: 'mount' },
        ],
      },
    };
    expect(namespacesByPath(config)).toEqual({
      external: [
        { kind: 'net', path: '/run/netns/a', key: 'extRootNetNS' },
        { kind: 'pid', path: '/proc/9/ns/pid', key: 'extRootPidNS' },
      ],
      joined: [{ kind: 'uts', path: '/proc/9/ns/uts' }],
    });
  });
  it('refuses a joined cgroup namespace, naming the field', () => {
    const config: OciConfig = { ociVersion: '1.0.2', linux: { namespaces: [{ type: 'mount' }, { type: 'cgroup', path: '/proc/9/ns/cgroup' }] } };
    expect(() => namespacesByPath(config)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', field: 'linux.namespaces[1].path' }));
  });
});
