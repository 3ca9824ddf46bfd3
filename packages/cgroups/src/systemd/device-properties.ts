/**
 * Device rules as systemd's `DevicePolicy` and `DeviceAllow`
 * (systemd.resource-control(5)), following runc's
 * libcontainer/cgroups/devices/systemd.go. systemd takes only an allow-list
 * (policy `strict`, nothing but the listed devices) or allow-all (policy
 * `auto` with an empty list); wildcard majors with a fixed minor (`c *:5`)
 * have no form. Pure.
 */
import { checkDeviceNumbers } from '../devices/program.js';
import { DEVICE_ACCESS, deviceState } from '../devices/state.js';
import type { DeviceRule } from '../resources/types.js';
import type { UnitProperty } from './properties.js';

/** Access bits as systemd's `rwm` text, in its order. */
const accessText = (bits: number): string => (['r', 'w', 'm'] as const).filter((ch) => bits & DEVICE_ACCESS[ch]).join('');
const groupPrefix = { b: 'block-', c: 'char-' } as const;

/**
 * The properties for `rules`, and whether they say exactly what the rules
 * say. When they cannot (a deny-list, or a `*:minor` exception), the
 * properties allow a superset (every device, or `char-*` for `c *:5`) and the caller enforces the rules with its own
 * program beside systemd's.
 *
 * @throws {@link CgroupError} `INVALID_ARGUMENT` for majors or minors no device can have.
 */
export function deviceAllowProperties(rules: readonly DeviceRule[]): { properties: UnitProperty[]; exact: boolean } {
  checkDeviceNumbers(rules);
  const state = deviceState(rules, { defaultAllow: false, exceptions: [] });
  // An empty DeviceAllow first clears what an existing unit has (systemd appends otherwise).
  const clear: UnitProperty = { name: 'DeviceAllow', type: 'a(ss)', value: [] };
  if (state.defaultAllow) {
    return { properties: [clear, { name: 'DevicePolicy', type: 's', value: 'auto' }], exact: state.exceptions.length === 0 };
  }
  const entries: [string, string][] = [];
  let exact = true;
  for (const e of state.exceptions) {
    const access = accessText(e.access);
    const types = e.type === 'a' ? (['b', 'c'] as const) : [e.type];
    for (const t of types) {
      if (e.major === '*') {
        // "char-*" allows every minor: a superset of "*:5", narrowed by kc's program.
        if (e.minor !== '*') exact = false;
        entries.push([`${groupPrefix[t]}*`, access]);
      } else if (e.minor === '*') entries.push([`${groupPrefix[t]}${e.major}`, access]);
      else entries.push([`/dev/${t === 'b' ? 'block' : 'char'}/${e.major}:${e.minor}`, access]);
    }
  }
  return {
    properties: [clear, { name: 'DevicePolicy', type: 's', value: 'strict' }, { name: 'DeviceAllow', type: 'a(ss)', value: entries }],
    exact,
  };
}
