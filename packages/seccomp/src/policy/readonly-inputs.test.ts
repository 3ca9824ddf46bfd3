// Input arrays are readonly across the SDK (docs/vocabulary.md): policies, rule lists, argument
// comparisons, arch lists and flag lists written `as const` type-check (tsc fails this file
// otherwise) and compile deeply frozen, so the compiler never writes to the caller's policy.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { archInfo } from '../arch.js';
import { compile } from '../bpf/compiler.js';
import { emulate } from '../bpf/emulator.js';
import { exportOciSeccomp } from '../oci/export.js';
import { kcDefaultPolicy } from '../profiles/kc-default.js';
import { policy } from './builder.js';
import { Act, actionFromValue, type Policy } from './model.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('seccomp inputs take readonly arrays', () => {
  it('compiles a frozen policy whose rules, args and arches are readonly', () => {
    const arches = ['x86_64'] as const;
    const p = deepFreeze({
      defaultAction: Act.allow,
      arches,
      rules: [{ syscall: 'personality', action: Act.errno(1), args: [{ index: 0, op: 'eq', value: 0xffffffffn }] }],
    } as const satisfies Policy);
    const filter = compile(p);
    const personality = (arg: bigint) => actionFromValue(emulate(filter.instructions, { nr: 135, arch: archInfo('x86_64').auditArch, args: [arg] }).value);
    expect(personality(0xffffffffn)).toEqual(Act.errno(1));
    expect(personality(0n)).toEqual(Act.allow);
    expect(compile(policy(Act.allow, arches).build()).instructions.length).toBeGreaterThan(0);
    expect(kcDefaultPolicy(arches).arches).toEqual(['x86_64']);
    const flags = ['SECCOMP_FILTER_FLAG_LOG'] as const;
    expectTypeOf(exportOciSeccomp).toBeCallableWith(p, flags);
    expect(exportOciSeccomp(p, flags).flags).toEqual(['SECCOMP_FILTER_FLAG_LOG']);
  });
});
