// The vocabulary's input rules for the spawn pipeline (docs/vocabulary.md), checked twice: by tsc
// (this file is in tsconfig.json, so `expectTypeOf` and `@ts-expect-error` lines fail the typecheck
// when a rule breaks) and at run time (a deeply frozen `as const` spec validates: nothing writes to
// the caller's arrays).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { SpawnError } from '../errors.js';
import type { ProcessSpec } from './spec.js';
import { spawn } from './spawn.js';
import { SPAWN_STEPS, type SpawnStep } from './steps.js';
import { validateSpec } from './validate.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('spawn takes readonly arrays', () => {
  it('accepts a spec written `as const` (argv, stdio, namespaces, id maps, mounts, rlimits, groups) and never writes to it', () => {
    const spec = deepFreeze({
      argv: ['sh', '-c', 'true'],
      stdio: ['ignore', 'pipe', 'inherit'],
      namespaces: ['user', 'mnt', 'pid'],
      uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
      gidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
      mounts: [{ kind: 'mount', source: 'proc', target: '/proc', fstype: 'proc' }],
      rlimits: [{ resource: 'nofile', soft: 1024, hard: 1024 }],
      user: { uid: 0, gid: 0, groups: [0, 10] },
      extraFds: [],
      cgroup: { procsFiles: ['/sys/fs/cgroup/pids/x/cgroup.procs'] },
    } as const);
    expectTypeOf(spawn).toBeCallableWith(spec);
    expectTypeOf(spec).toMatchTypeOf<ProcessSpec>();
    expect(() => validateSpec(spec)).not.toThrow();
    expect(Object.isFrozen(spec.argv)).toBe(true);
  });
});

describe('SpawnError.step', () => {
  it('is the union of SPAWN_STEPS, so a switch on it is checked', () => {
    expectTypeOf<SpawnError['step']>().toEqualTypeOf<SpawnStep | undefined>();
    expectTypeOf<SpawnStep>().toEqualTypeOf<(typeof SPAWN_STEPS)[number]>();
    const e = new SpawnError('failed', { step: 'execve' });
    expect(SPAWN_STEPS).toContain(e.step);
    // @ts-expect-error: 'mount' is not a step ('mounts' is); JavaScript callers still get what they pass
    expect(new SpawnError('failed', { step: 'mount' }).step).toBe('mount');
  });
});
