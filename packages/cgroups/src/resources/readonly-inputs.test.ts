// Input arrays are readonly across the SDK (docs/vocabulary.md): a resources object written
// `as const` type-checks (tsc fails this file otherwise) and validates deeply frozen, so nothing
// writes to the caller's arrays.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { EventOptions } from '../events/types.js';
import type { Resources } from './types.js';
import { validateResources } from './validate.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('cgroup inputs take readonly arrays', () => {
  it('validates device rules and io device limits written as const', () => {
    const resources = deepFreeze({
      devices: [
        { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' },
        { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
      ],
      io: { devices: [{ major: 8, minor: 0, readBps: 1 << 20 }] },
    } as const);
    expectTypeOf(resources).toMatchTypeOf<Resources>();
    expect(() => validateResources(resources, { onlineCpus: '0-1', onlineMems: '0' })).not.toThrow();
    const events = { memoryThresholds: [8 << 20, 16 << 20] } as const;
    expectTypeOf(events).toMatchTypeOf<EventOptions>();
    expect(events.memoryThresholds).toHaveLength(2);
  });
});
