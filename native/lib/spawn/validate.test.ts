import { describe, expect, it } from 'vitest';
import { SpawnError } from '../errors.js';
import { encodePlan, idMapText } from './encode.js';
import type { ProcessSpec } from './spec.js';
import { validateSpecIdMap, validateSpec } from './validate.js';

function fieldOf(spec: ProcessSpec): string | undefined {
  try {
    validateSpec(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(SpawnError);
    expect((e as SpawnError).code).toBe('INVALID_ARGUMENT');
    return (e as SpawnError).field;
  }
  return undefined;
}

describe('validateSpec', () => {
  it('accepts a minimal spec', () => {
    expect(fieldOf({ argv: ['true'] })).toBeUndefined();
  });

  it.each<[string, ProcessSpec, string]>([
    ['empty argv', { argv: [] }, 'argv'],
    ['NUL in an argument', { argv: ['a\0b'] }, 'argv[0]'],
    ['= in an env name', { argv: ['x'], env: { 'A=B': '1' } }, 'env.A=B'],
    ['unknown namespace', { argv: ['x'], namespaces: ['nope' as never] }, 'namespaces[0]'],
    ['duplicate namespace', { argv: ['x'], namespaces: ['pid', 'pid'] }, 'namespaces[1]'],
    ['created and joined', { argv: ['x'], namespaces: ['net'], join: [{ kind: 'net', path: '/x' }] }, 'join[0]'],
    ['join with fd and path', { argv: ['x'], join: [{ kind: 'net', path: '/x', fd: 3 }] }, 'join[0]'],
    ['new user ns with joins', { argv: ['x'], namespaces: ['user'], join: [{ kind: 'net', path: '/x' }] }, 'namespaces'],
    ['hostname without uts', { argv: ['x'], hostname: 'h' }, 'hostname'],
    ['hostname over 64 bytes', { argv: ['x'], namespaces: ['uts'], hostname: 'h'.repeat(65) }, 'hostname'],
    ['mounts without mnt', { argv: ['x'], mounts: [{ kind: 'mkdir', path: '/a' }] }, 'mounts'],
    ['pivot without rootfs', { argv: ['x'], namespaces: ['mnt'], mounts: [{ kind: 'pivot' }] }, 'mounts[0]'],
    ['relative rootfs', { argv: ['x'], namespaces: ['mnt'], mounts: [{ kind: 'rootfs', path: 'r' }] }, 'mounts[0].path'],
    ['non-namespaced sysctl', { argv: ['x'], namespaces: ['net'], sysctl: { 'vm.swappiness': '1' } }, 'sysctl.vm.swappiness'],
    ['net sysctl without netns', { argv: ['x'], sysctl: { 'net.ipv4.ip_forward': '1' } }, 'sysctl.net.ipv4.ip_forward'],
    ['unknown rlimit', { argv: ['x'], rlimits: [{ resource: 'bogus' as never, soft: 1, hard: 1 }] }, 'rlimits[0].resource'],
    ['soft above hard', { argv: ['x'], rlimits: [{ resource: 'nofile', soft: 2, hard: 1 }] }, 'rlimits[0].soft'],
    ['negative uid', { argv: ['x'], user: { uid: -1, gid: 0 } }, 'user.uid'],
    ['time offsets without time ns', { argv: ['x'], timeOffsets: { boottime: 1 } }, 'timeOffsets'],
    [
      'effective outside permitted',
      { argv: ['x'], capabilities: { bounding: 0n, effective: 1n, permitted: 0n, inheritable: 0n, ambient: 0n } },
      'capabilities.effective',
    ],
    [
      'ambient outside inheritable',
      { argv: ['x'], capabilities: { bounding: 1n, effective: 1n, permitted: 1n, inheritable: 0n, ambient: 1n } },
      'capabilities.ambient',
    ],
    ['seccomp filter of odd length', { argv: ['x'], seccomp: { filter: new Uint8Array(7) } }, 'seccomp.filter'],
    ['bad stdio', { argv: ['x'], stdio: ['pipe', 'pipe', 'nope' as never] }, 'stdio[2]'],
    ['ctty without setsid', { argv: ['x'], controllingTerminal: true }, 'controllingTerminal'],
    ['cgroup procs file of the wrong name', { argv: ['x'], cgroup: { procsFiles: ['/sys/fs/cgroup/x/memory.max'] } }, 'cgroup.procsFiles[0]'],
  ])('rejects %s', (_name, spec, field) => {
    expect(fieldOf(spec)).toBe(field);
  });
});

describe('validateSpecIdMap', () => {
  it('rejects overlaps on either side and accepts disjoint ranges', () => {
    expect(() =>
      validateSpecIdMap('m', [
        { containerId: 0, hostId: 0, size: 10 },
        { containerId: 10, hostId: 9, size: 1 },
      ]),
    ).toThrow(/hostId range overlaps/);
    expect(() =>
      validateSpecIdMap('m', [
        { containerId: 0, hostId: 0, size: 10 },
        { containerId: 10, hostId: 10, size: 1 },
      ]),
    ).not.toThrow();
    expect(() => validateSpecIdMap('m', [{ containerId: 0, hostId: 0, size: 0 }])).toThrow(/size/);
  });
});

describe('encodePlan', () => {
  it('writes TLV records the C decoder expects (tag, length, payload)', () => {
    const buf = encodePlan({ argv: ['/bin/true'], env: { A: '1' } }, { stdio: [0, 1, 2], joins: [], capLast: 40 });
    const records: [number, string][] = [];
    for (let off = 0; off < buf.length; ) {
      const tag = buf.readUInt32LE(off);
      const len = buf.readUInt32LE(off + 4);
      records.push([tag, buf.subarray(off + 8, off + 8 + len).toString('latin1')]);
      off += 8 + len;
    }
    expect(records.map(([t]) => t)).toEqual([1, 3, 4, 27]);
    const inherit = encodePlan({ argv: ['x'] }, { stdio: [0, 1, 2], joins: [], capLast: 40 });
    expect(inherit.readUInt32LE(16 + 2 + 8)).toBe(33); // FLAGS(16) ARG(8+2) then ENV_INHERIT
    expect(records[1]![1]).toBe('/bin/true\0');
    expect(records[2]![1]).toBe('A=1\0');
  });

  it('formats id maps as the kernel reads them', () => {
    expect(
      idMapText([
        { containerId: 0, hostId: 1000, size: 1 },
        { containerId: 1, hostId: 100000, size: 65536 },
      ]),
    ).toBe('0 1000 1\n1 100000 65536\n');
  });
});

describe('encodePlan time offsets', () => {
  it('keeps the nanoseconds below one second, also for negative offsets', () => {
    const text = (v: number) => {
      const buf = encodePlan({ argv: ['x'], namespaces: ['time'], timeOffsets: { boottime: v } }, { stdio: [0, 1, 2], joins: [], capLast: 40 });
      return /boottime (-?\d+) (\d+)/.exec(buf.toString('latin1'))!.slice(1).map(Number);
    };
    expect(text(1.5)).toEqual([1, 500000000]);
    expect(text(0.9999999999)).toEqual([1, 0]);
    expect(text(-1.25)).toEqual([-2, 750000000]);
  });
});
