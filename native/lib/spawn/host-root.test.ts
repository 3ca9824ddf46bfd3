import { describe, expect, it } from 'vitest';
import { SpawnError } from '../errors.js';
import { encodePlan, MOUNT_KIND, TAG } from './encode.js';
import { privilegeNote } from './privilege-hint.js';
import type { MountStep, ProcessSpec } from './spec.js';
import { validateSpec } from './validate.js';

const spec = (mounts: MountStep[]): ProcessSpec => ({ argv: ['/bin/true'], namespaces: ['user', 'mnt'], mounts });

function fieldOf(s: ProcessSpec): string | undefined {
  try {
    validateSpec(s);
  } catch (e) {
    expect(e).toBeInstanceOf(SpawnError);
    expect((e as SpawnError).code).toBe('INVALID_ARGUMENT');
    return (e as SpawnError).field;
  }
  return undefined;
}

/** The source and target strings of the plan's mount records. */
function mountStrings(s: ProcessSpec): [number, string, string][] {
  const buf = encodePlan(s, { stdio: [0, 1, 2], joins: [], capLast: 40 });
  const out: [number, string, string][] = [];
  for (let off = 0; off < buf.length; ) {
    const tag = buf.readUInt32LE(off);
    const len = buf.readUInt32LE(off + 4);
    if (tag === TAG.MOUNT) {
      const [source, target] = buf
        .subarray(off + 8 + 40, off + 8 + len)
        .toString('latin1')
        .split('\0');
      out.push([buf.readUInt32LE(off + 8), source!, target!]);
    }
    off += 8 + len;
  }
  return out;
}

describe('the host root as the rootfs', () => {
  it('needs a fresh mount point: pivot_root cannot pivot into the current root', () => {
    expect(fieldOf(spec([{ kind: 'rootfs', path: '/' }, { kind: 'pivot' }]))).toBe('mounts[0].mountPoint');
    expect(fieldOf(spec([{ kind: 'rootfs', path: '//.' }, { kind: 'pivot' }]))).toBe('mounts[0].mountPoint');
    expect(fieldOf(spec([{ kind: 'rootfs', path: '/', mountPoint: '/' }, { kind: 'pivot' }]))).toBe('mounts[0].mountPoint');
    expect(fieldOf(spec([{ kind: 'rootfs', path: '/', mountPoint: 'tmp' }, { kind: 'pivot' }]))).toBe('mounts[0].mountPoint');
    expect(fieldOf(spec([{ kind: 'rootfs', path: '/', mountPoint: '/tmp' }, { kind: 'pivot' }]))).toBeUndefined();
  });

  it('refuses a mount over the rootfs before the pivot, which the pivot would silently bypass', () => {
    const over: MountStep = { kind: 'mount', source: '/', target: '/', flags: 0x1000 | 0x4000 };
    expect(fieldOf(spec([{ kind: 'rootfs', path: '/r' }, over, { kind: 'pivot' }]))).toBe('mounts[1].target');
    // After the pivot, / is the new root: a mount there is an ordinary one.
    expect(fieldOf(spec([{ kind: 'rootfs', path: '/r' }, { kind: 'pivot' }, { ...over, source: 'tmpfs', fstype: 'tmpfs', flags: 0 }]))).toBeUndefined();
  });

  it('encodes the mount point as the rootfs record target (absent: the C side binds the root onto itself)', () => {
    expect(mountStrings(spec([{ kind: 'rootfs', path: '/', mountPoint: '/tmp' }, { kind: 'pivot' }]))[0]).toEqual([MOUNT_KIND.rootfs, '/', '/tmp']);
    expect(mountStrings(spec([{ kind: 'rootfs', path: '/r' }, { kind: 'pivot' }]))[0]).toEqual([MOUNT_KIND.rootfs, '/r', '']);
  });
});

describe('attach steps', () => {
  it('need an open fd and a target', () => {
    expect(fieldOf(spec([{ kind: 'attach', treeFd: -1, target: '/x' }]))).toBe('mounts[0].treeFd');
    expect(fieldOf(spec([{ kind: 'attach', treeFd: 1.5, target: '/x' }]))).toBe('mounts[0].treeFd');
    expect(fieldOf(spec([{ kind: 'attach', treeFd: 7, target: '/x' }]))).toBeUndefined();
    expect(mountStrings(spec([{ kind: 'attach', treeFd: 7, target: '/x' }]))[0]).toEqual([MOUNT_KIND.attach, '', '/x']);
  });
});

describe('privilegeNote', () => {
  it('names what would make a refused privileged step work', () => {
    expect(privilegeNote('clone', 'EPERM')).toBe('needs root (or a user namespace / a delegated cgroup): ');
    expect(privilegeNote('mounts', 'EACCES')).toBe('needs root (or a user namespace): ');
    expect(privilegeNote('cgroup', 'EACCES')).toBe('needs root (or a delegated cgroup): ');
    expect(privilegeNote('mounts', 'ENOENT')).toBe('');
    expect(privilegeNote('execve', 'EACCES')).toBe(''); // a file permission, not a privilege
    expect(privilegeNote(undefined, 'EPERM')).toBe('');
  });
});
