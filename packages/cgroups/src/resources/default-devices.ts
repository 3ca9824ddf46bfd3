/**
 * The device allow-list every container gets whatever its own rules say
 * (runc 1.1's `AllowedDevices`, libcontainer/specconv/spec_linux.go), and the
 * merge runc's `CreateCgroupConfig` does with a config's rules.
 */
import type { DeviceRule } from './types.js';

/** One entry of {@link DEFAULT_DEVICE_RULES}: a rule, and the device node it stands for when it has one. */
export interface DefaultDeviceRule extends DeviceRule {
  /** The node in the container's /dev this rule exists for (`/dev/null`); absent for wildcard and pty rules. */
  readonly path?: string;
}

const rwm = (major: number | '*', minor: number | '*', path?: string): DefaultDeviceRule => ({
  allow: true,
  type: 'c',
  major,
  minor,
  access: 'rwm',
  ...(path ? { path } : {}),
});

/**
 * runc 1.1's default device allow-list, in runc's order: mknod (but not read
 * or write) of any char and block device; read, write and mknod of
 * `/dev/null` (1:3), `/dev/random` (1:8), `/dev/full` (1:7), `/dev/tty`
 * (5:0), `/dev/zero` (1:5), `/dev/urandom` (1:9), every pty (136:*),
 * `/dev/ptmx` (5:2) and the tun/tap clone device (10:200). runc appends it
 * to the config's rules, so a config cannot deny these; `/dev/console` (5:1)
 * is not in it (a container's console is a pty, 136:*).
 *
 * Use {@link withDefaultDeviceRules} to build a container's full list.
 * @example
 * ```ts
 * Cgroup.create('/kc/demo', { resources: { devices: withDefaultDeviceRules([]) } });
 * ```
 */
export const DEFAULT_DEVICE_RULES: readonly DefaultDeviceRule[] = Object.freeze([
  { allow: true, type: 'c', major: '*', minor: '*', access: 'm' },
  { allow: true, type: 'b', major: '*', minor: '*', access: 'm' },
  rwm(1, 3, '/dev/null'),
  rwm(1, 8, '/dev/random'),
  rwm(1, 7, '/dev/full'),
  rwm(5, 0, '/dev/tty'),
  rwm(1, 5, '/dev/zero'),
  rwm(1, 9, '/dev/urandom'),
  rwm(136, '*'),
  rwm(5, 2),
  rwm(10, 200),
] satisfies DefaultDeviceRule[]);

/** Options of {@link withDefaultDeviceRules}. */
export interface DefaultDeviceOptions {
  /**
   * Device node paths the caller creates itself (OCI `linux.devices[].path`):
   * a default rule with the same `path` is left out, as runc does ("the spec
   * one takes priority"), so the caller's own rules decide about that node.
   */
  readonly replacedPaths?: readonly string[];
}

/** Denies every device: the state runc's device emulator starts from, written first so a group never inherits its parent's allow-all. */
const DENY_ALL: DeviceRule = { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' };

/**
 * A container's device rules as runc 1.1 builds them: deny everything, then
 * the caller's `rules` in order, then {@link DEFAULT_DEVICE_RULES} (less those
 * whose node the caller replaces). Applied in order, later rules win, so the
 * defaults cannot be denied by `rules`, as with runc. Pure.
 * @example
 * ```ts
 * const devices = withDefaultDeviceRules([{ allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' }]); // + /dev/fuse
 * cg.set({ devices });
 * ```
 */
export function withDefaultDeviceRules(rules: readonly DeviceRule[], options: DefaultDeviceOptions = {}): DeviceRule[] {
  const replaced = new Set(options.replacedPaths ?? []);
  const defaults = DEFAULT_DEVICE_RULES.filter((d) => d.path === undefined || !replaced.has(d.path));
  return [DENY_ALL, ...rules, ...defaults].map(({ allow, type, major, minor, access }) => ({ allow, type, major, minor, access }));
}
