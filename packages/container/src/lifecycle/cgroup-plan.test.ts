import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../oci/default-config.js';
import { cgroupPlan } from './create.js';

describe('cgroupPlan device rules', () => {
  it('gives a config without linux.resources deny-all plus the defaults, whatever the host (v1 files or a v2 eBPF program)', () => {
    const config = defaultConfig({ args: ['true'] });
    delete config.linux?.resources;
    const { path, resources } = cgroupPlan(config, 'c1');
    expect(path).toBe('/kc/c1');
    expect(resources.devices?.[0]).toEqual({ allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' });
    expect(resources.devices).toContainEqual({ allow: true, type: 'c', major: 136, minor: '*', access: 'rwm' });
  });
  it("puts a config's own rules between deny-all and the defaults, so the defaults cannot be denied", () => {
    const config = defaultConfig({ args: ['true'] });
    config.linux = {
      ...config.linux,
      resources: {
        devices: [
          { allow: false, access: 'rwm' },
          { allow: true, type: 'b', major: 7, access: 'r' },
        ],
      },
    };
    const devices = cgroupPlan(config, 'c1').resources.devices ?? [];
    expect(devices.slice(0, 3)).toEqual([
      { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' },
      { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' },
      { allow: true, type: 'b', major: 7, minor: '*', access: 'r' },
    ]);
    expect(devices.at(-1)).toEqual({ allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' });
  });
});
