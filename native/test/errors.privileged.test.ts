import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KcError, loadAddon, SPAWN_STEPS, SpawnError, spawn } from '@kc/native';
import { childPids, openFds, zombieChildren } from './helpers.js';

function thrown(fn: () => unknown): SpawnError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SpawnError);
    expect(e).toBeInstanceOf(KcError);
    return e as SpawnError;
  }
  throw new Error('expected a SpawnError');
}

describe('spawn: bad input and failed steps', () => {
  it('names every step the C pipeline can report', () => {
    expect(SPAWN_STEPS.length).toBe(loadAddon<{ spawnStepCount: number }>().spawnStepCount);
  });

  it('rejects an unknown namespace kind before the kernel is touched', () => {
    const e = thrown(() => spawn({ argv: ['true'], namespaces: ['bogus' as never] }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.field).toBe('namespaces[0]');
    expect(e.step).toBeUndefined();
  });

  it('rejects overlapping uid maps and maps without a user namespace', () => {
    const overlap = thrown(() =>
      spawn({
        argv: ['true'],
        namespaces: ['user'],
        uidMap: [
          { containerId: 0, hostId: 1000, size: 10 },
          { containerId: 5, hostId: 5000, size: 10 },
        ],
      }),
    );
    expect(overlap.code).toBe('INVALID_ARGUMENT');
    expect(overlap.field).toBe('uidMap[1]');
    const noUserNs = thrown(() => spawn({ argv: ['true'], uidMap: [{ containerId: 0, hostId: 0, size: 1 }] }));
    expect(noUserNs.field).toBe('uidMap');
  });

  it('refuses a hostname without a uts namespace (it would rename the host)', () => {
    expect(thrown(() => spawn({ argv: ['true'], hostname: 'x' })).field).toBe('hostname');
  });

  it('reports a missing executable as step execve, ENOENT', () => {
    const e = thrown(() => spawn({ argv: ['/definitely/not/here'] }));
    expect(e.step).toBe('execve');
    expect(e.code).toBe('ENOENT');
    expect(e.errno).toBe(2);
    expect(e.path).toBe('/definitely/not/here');
    expect(e.hint).toMatch(/exist/);
  });

  it('reports an unreadable cwd as step cwd, EACCES, for an unprivileged user', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-test-cwd-'));
    try {
      const e = thrown(() => spawn({ argv: ['true'], cwd: dir, user: { uid: 65534, gid: 65534 } }));
      expect(e.step).toBe('cwd');
      expect(e.code).toBe('EACCES');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('reports a hard limit above the current one as step rlimits', () => {
    const e = thrown(() => spawn({ argv: ['true'], rlimits: [{ resource: 'nofile', soft: 1024, hard: 'unlimited' }] }));
    expect(e.step).toBe('rlimits');
    expect(e.code).toBe('EPERM');
  });

  it('leaves no process, zombie or fd behind after 200 failures of each kind', () => {
    const fdsBefore = openFds();
    const childrenBefore = childPids().length;
    for (let i = 0; i < 200; i++) {
      expect(() => spawn({ argv: ['/nope'], namespaces: ['pid', 'net'] })).toThrow(SpawnError);
      expect(() => spawn({ argv: ['true'], cwd: '/nonexistent-kc' })).toThrow(SpawnError);
      expect(() => spawn({ argv: ['true'], namespaces: ['nope' as never] })).toThrow(SpawnError);
      expect(() => spawn({ argv: ['true'], join: [{ kind: 'net', path: '/nonexistent-kc-netns' }] })).toThrow(SpawnError);
    }
    expect(openFds()).toBe(fdsBefore);
    expect(zombieChildren()).toEqual([]);
    expect(childPids().length).toBe(childrenBefore);
  });
});
