/**
 * What a list of device rules means, as the cgroup v1 devices controller
 * reads it (Documentation/admin-guide/cgroup-v1/devices.rst,
 * security/device_cgroup.c): a default behaviour and a list of exceptions.
 * Rules apply in order: a type `a` rule resets the behaviour (allow or deny
 * everything) and clears the exceptions; any other rule adds or removes
 * access on an exception, depending on whether it goes against the default.
 * The eBPF program for cgroup v2 is emitted from this state, so both versions
 * decide alike. Pure.
 */
import type { DeviceRule } from '../resources/types.js';

/** Access bits as the kernel's `bpf_cgroup_dev_ctx` carries them (BPF_DEVCG_ACC_*). */
export const DEVICE_ACCESS = {
  /** mknod(2) of the device node (BPF_DEVCG_ACC_MKNOD). */
  m: 1,
  /** Opening it for reading (BPF_DEVCG_ACC_READ). */
  r: 2,
  /** Opening it for writing (BPF_DEVCG_ACC_WRITE). */
  w: 4,
} as const;

/** Device types as `bpf_cgroup_dev_ctx` carries them (BPF_DEVCG_DEV_*). */
export const DEVICE_TYPE = {
  /** A block device (BPF_DEVCG_DEV_BLOCK). */
  b: 1,
  /** A character device (BPF_DEVCG_DEV_CHAR). */
  c: 2,
} as const;

/** One exception of a {@link DeviceState}: devices it covers and the access bits it grants (default deny) or denies (default allow). */
export interface DeviceException {
  /** `a` (any type), `b` or `c`. */
  readonly type: 'a' | 'b' | 'c';
  /** Major number, or `'*'`. */
  readonly major: number | '*';
  /** Minor number, or `'*'`. */
  readonly minor: number | '*';
  /** Access bits, {@link DEVICE_ACCESS}. */
  readonly access: number;
}

/** The effective device policy of a rule list: a default and the exceptions to it. */
export interface DeviceState {
  /** What a device no exception matches gets. */
  readonly defaultAllow: boolean;
  /** Exceptions, in the order they were first made. */
  readonly exceptions: readonly DeviceException[];
}

/** Access bits of an access string (`rwm`). */
export function accessBits(access: string): number {
  let bits = 0;
  for (const ch of access) bits |= DEVICE_ACCESS[ch as keyof typeof DEVICE_ACCESS] ?? 0;
  return bits;
}

/**
 * The state a rule list leaves, starting from `initial` (a new v1 group
 * starts from its parent's state; runc's lists begin with deny-all, so the
 * start does not matter for them). Pure.
 */
export function deviceState(rules: readonly DeviceRule[], initial: DeviceState = { defaultAllow: true, exceptions: [] }): DeviceState {
  let defaultAllow = initial.defaultAllow;
  let exceptions = initial.exceptions.map((e) => ({ ...e }));
  for (const rule of rules) {
    if (rule.type === 'a') {
      defaultAllow = rule.allow;
      exceptions = [];
      continue;
    }
    const bits = accessBits(rule.access);
    const same = exceptions.find((e) => e.type === rule.type && e.major === rule.major && e.minor === rule.minor);
    if (rule.allow !== defaultAllow) {
      // Against the default: grant (or deny) these bits through an exception (dev_exception_add merges access).
      if (same) same.access |= bits;
      else exceptions.push({ type: rule.type, major: rule.major, minor: rule.minor, access: bits });
    } else if (same) {
      // Along with the default: take these bits off the exception that says otherwise (dev_exception_rm).
      same.access &= ~bits;
      if (same.access === 0) exceptions = exceptions.filter((e) => e !== same);
    }
  }
  return { defaultAllow, exceptions };
}

/** One access a process asks for: a device of `type` `major:minor`, with access bits {@link DEVICE_ACCESS}. */
export interface DeviceRequest {
  /** `b` block or `c` character. */
  readonly type: 'b' | 'c';
  /** The device's major number. */
  readonly major: number;
  /** The device's minor number. */
  readonly minor: number;
  /** Access bits asked for (one or more of m, r, w). */
  readonly access: number;
}

const covers = (e: DeviceException, q: DeviceRequest): boolean =>
  (e.type === 'a' || e.type === q.type) && (e.major === '*' || e.major === q.major) && (e.minor === '*' || e.minor === q.minor);

/**
 * Whether `state` lets the request through, as the kernel decides
 * (devcgroup_legacy_check_permission): under default deny, one exception must
 * cover the device and every access bit asked; under default allow, no
 * exception covering the device may share a bit with the request. Pure.
 */
export function deviceAllowed(state: DeviceState, q: DeviceRequest): boolean {
  if (state.defaultAllow) return !state.exceptions.some((e) => covers(e, q) && (e.access & q.access) !== 0);
  return state.exceptions.some((e) => covers(e, q) && (q.access & ~e.access) === 0);
}
