import { describe, expect, it } from 'vitest';
import { NamespaceError } from './errors.js';
import { namespaceSpec } from './spec-builder.js';

const err = (fn: () => unknown): NamespaceError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NamespaceError);
    return e as NamespaceError;
  }
  throw new Error('expected a NamespaceError');
};

describe('namespaceSpec', () => {
  it('produces the ProcessSpec namespace fields', () => {
    expect(
      namespaceSpec({
        create: ['user', 'uts', 'time'],
        uidMap: [{ containerId: 0, hostId: 1000, size: 1 }],
        gidMap: [{ containerId: 0, hostId: 1000, size: 1 }],
        unprivileged: { uid: 1000, gid: 1000 },
        timeOffsets: { monotonic: 3600, boottime: 7200.5 },
        hostname: 'box',
        join: [{ kind: 'net', fd: 7 }],
        joinProcess: { pidfd: 9, kinds: ['ipc'] },
      }),
    ).toEqual({
      namespaces: ['user', 'uts', 'time'],
      uidMap: [{ containerId: 0, hostId: 1000, size: 1 }],
      gidMap: [{ containerId: 0, hostId: 1000, size: 1 }],
      setgroups: 'deny',
      timeOffsets: { monotonic: 3600, boottime: 7200.5 },
      hostname: 'box',
      join: [{ kind: 'net', fd: 7 }],
      joinPidfd: { pidfd: 9, kinds: ['ipc'] },
    });
  });

  it('rejects unknown kinds, duplicates, and a kind both created and joined', () => {
    expect(err(() => namespaceSpec({ create: ['net', 'nett' as never] })).field).toBe('create[1]');
    expect(err(() => namespaceSpec({ create: ['net', 'net'] })).field).toBe('create[1]');
    expect(err(() => namespaceSpec({ create: ['net'], join: [{ kind: 'net', fd: 3 }] })).field).toBe('join[0]');
    expect(err(() => namespaceSpec({ join: [{ kind: 'uts', fd: 3 }], joinProcess: { pidfd: 4, kinds: ['uts'] } })).field).toBe('joinProcess.kinds[0]');
  });

  it('ties maps, setgroups and offsets to the namespace they belong to', () => {
    expect(err(() => namespaceSpec({ uidMap: [{ containerId: 0, hostId: 0, size: 1 }] })).field).toBe('uidMap');
    expect(err(() => namespaceSpec({ create: ['net'], timeOffsets: { monotonic: 1 } })).field).toBe('timeOffsets');
    expect(err(() => namespaceSpec({ create: ['time'], timeOffsets: { boottime: Number.NaN } })).field).toBe('timeOffsets.boottime');
    expect(err(() => namespaceSpec({ create: ['net'], hostname: 'x' })).field).toBe('hostname');
    expect(err(() => namespaceSpec({ create: ['uts'], hostname: 'x'.repeat(65) })).field).toBe('hostname');
  });

  it('checks id maps (overlaps, unprivileged rules) and setgroups', () => {
    expect(
      err(() =>
        namespaceSpec({
          create: ['user'],
          uidMap: [
            { containerId: 0, hostId: 0, size: 10 },
            { containerId: 5, hostId: 100, size: 1 },
          ],
        }),
      ).field,
    ).toBe('uidMap[1].containerId');
    expect(
      err(() => namespaceSpec({ create: ['user'], unprivileged: { uid: 1000, gid: 1000 }, uidMap: [{ containerId: 0, hostId: 0, size: 65536 }] })).field,
    ).toBe('uidMap');
    expect(
      err(() =>
        namespaceSpec({ create: ['user'], unprivileged: { uid: 1000, gid: 1000 }, setgroups: 'allow', gidMap: [{ containerId: 0, hostId: 1000, size: 1 }] }),
      ).field,
    ).toBe('setgroups');
    // With the setuid helpers, wide ranges are allowed (they check /etc/subuid themselves).
    expect(
      namespaceSpec({ create: ['user'], unprivileged: { uid: 1000, gid: 1000 }, idMapHelper: true, uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }] })
        .idMapHelper,
    ).toBe(true);
  });

  it('reports a missing namespace file before spawning', () => {
    const e = err(() => namespaceSpec({ join: [{ kind: 'net', path: '/run/netns/kc-does-not-exist-42' }] }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.field).toBe('join[0].path');
  });
});
