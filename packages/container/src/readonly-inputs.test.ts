// Input arrays are readonly across the SDK (docs/vocabulary.md): container options written
// `as const` type-check (tsc fails this file otherwise); defaultConfig copies what it is given, so
// the config it returns can be edited without touching the caller's frozen arrays.
import type { KcProcess } from '@kc/native';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Container } from './lifecycle/container.js';
import type { ExecOptions } from './lifecycle/exec.js';
import { defaultConfig } from './oci/default-config.js';
import type { OciCapabilityName } from './oci/types.js';
import type { OverlayRootfsOptions } from './rootfs/overlay.js';

describe('container inputs take readonly arrays', () => {
  it('accepts as-const args, exec args and stdio, overlay layers', () => {
    const args = Object.freeze(['sh', '-c', 'echo hi'] as const);
    const config = defaultConfig({ args });
    expect(config.process?.args).toEqual(['sh', '-c', 'echo hi']);
    config.process?.args?.push('more'); // a copy: the frozen input is untouched
    expect(args).toHaveLength(3);
    expectTypeOf<Container['exec']>().toBeCallableWith({ args: ['ls', '-l'] as const }, { stdio: ['ignore', 'pipe', 'pipe'] as const });
    expectTypeOf<Container['exec']>().returns.toEqualTypeOf<KcProcess>();
    expectTypeOf({ stdio: ['ignore', 'inherit', 'inherit'] } as const).toMatchTypeOf<ExecOptions>();
    expectTypeOf({ lower: ['/a', '/b'], upper: '/u', work: '/w', target: '/t' } as const).toMatchTypeOf<OverlayRootfsOptions>();
  });

  it('types OCI capability names as a literal union', () => {
    expectTypeOf<'CAP_NET_BIND_SERVICE'>().toMatchTypeOf<OciCapabilityName>();
    expectTypeOf<'CAP_NET_BIND_SERVIC'>().not.toMatchTypeOf<OciCapabilityName>();
    expect(defaultConfig().process?.capabilities?.bounding).toContain('CAP_NET_BIND_SERVICE');
  });
});
