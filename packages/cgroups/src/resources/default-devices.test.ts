import { describe, expect, it } from 'vitest';
import { DEFAULT_DEVICE_RULES, withDefaultDeviceRules } from './default-devices.js';
import { resourcesToV1 } from './v1-files.js';
import { resourcesToV2 } from './v2-files.js';

const noFiles = { read: () => undefined, list: () => [] };

describe('DEFAULT_DEVICE_RULES', () => {
  it("is runc 1.1's AllowedDevices, in its order (libcontainer/specconv/spec_linux.go)", () => {
    expect(DEFAULT_DEVICE_RULES.map((d) => `${d.type} ${d.major}:${d.minor} ${d.access}${d.path ? ` ${d.path}` : ''}`)).toEqual([
      'c *:* m',
      'b *:* m',
      'c 1:3 rwm /dev/null',
      'c 1:8 rwm /dev/random',
      'c 1:7 rwm /dev/full',
      'c 5:0 rwm /dev/tty',
      'c 1:5 rwm /dev/zero',
      'c 1:9 rwm /dev/urandom',
      'c 136:* rwm',
      'c 5:2 rwm',
      'c 10:200 rwm',
    ]);
    expect(DEFAULT_DEVICE_RULES.every((d) => d.allow)).toBe(true);
    expect(Object.isFrozen(DEFAULT_DEVICE_RULES)).toBe(true);
  });
});

describe('withDefaultDeviceRules', () => {
  it('writes deny-all first, then the caller rules, then the defaults, as v1 devices.deny / devices.allow lines', () => {
    const rules = withDefaultDeviceRules([{ allow: true, type: 'c', major: 10, minor: 229, access: 'rw' }]);
    const lines = resourcesToV1({ devices: rules }, noFiles).map((w) => `${w.file} ${w.value}`);
    expect(lines.slice(0, 4)).toEqual(['devices.deny a', 'devices.allow c 10:229 rw', 'devices.allow c *:* m', 'devices.allow b *:* m']);
    expect(lines.at(-1)).toBe('devices.allow c 10:200 rwm');
    expect(lines).toHaveLength(2 + DEFAULT_DEVICE_RULES.length);
  });
  it('drops only the defaults whose path is replaced, and returns plain rules without paths', () => {
    const rules = withDefaultDeviceRules([], { replacedPaths: ['/dev/tty', '/dev/kvm'] });
    expect(rules).toHaveLength(DEFAULT_DEVICE_RULES.length); // deny-all + 10 of 11
    expect(rules).not.toContainEqual(expect.objectContaining({ major: 5, minor: 0 }));
    expect(rules.some((r) => 'path' in r)).toBe(false);
  });
  it('is refused on cgroup v2, even as an empty list, instead of meaning "allow all"', () => {
    expect(() => resourcesToV2({ devices: withDefaultDeviceRules([]) }, noFiles)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', field: 'devices' }));
    expect(() => resourcesToV2({ devices: [] }, noFiles)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', field: 'devices' }));
  });
});
