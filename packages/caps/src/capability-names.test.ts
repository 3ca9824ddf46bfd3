// Capability inputs are a literal union (docs/vocabulary.md): a typo fails the typecheck (the
// `@ts-expect-error` lines below fail tsc the day the type widens back to string), and the run-time
// check stays for JavaScript callers.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Capabilities } from './capabilities.js';
import { CapSet } from './cap-set.js';
import type { CapabilityLike, CapabilityName } from './capability.js';
import { CapsError } from './errors.js';

describe('capability names as a literal union', () => {
  it('accepts every spelling kc reads, from readonly arrays too', () => {
    const names = ['NET_BIND_SERVICE', 'CAP_NET_RAW', 'cap_kill', 'chown', '41'] as const;
    expectTypeOf(names).toMatchTypeOf<readonly CapabilityName[]>();
    const caps = Capabilities.only(names);
    expect(caps.bounding.names()).toEqual(['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', '41']);
    expect(CapSet.of(...names, 0).size).toBe(5);
  });

  it('refuses a typo at compile time and at run time', () => {
    expectTypeOf<'NET_BIND_SERVIC'>().not.toMatchTypeOf<CapabilityLike>();
    expectTypeOf<string>().not.toMatchTypeOf<CapabilityLike>();
    // @ts-expect-error: a typo is not a capability name
    expect(() => Capabilities.only(['NET_BIND_SERVIC'])).toThrow(CapsError);
    // @ts-expect-error: a typo is not a capability name
    expect(() => CapSet.of('CAP_SYS_ADMN')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'caps[0]' }));
  });
});
