import type { NamespaceKind } from '@kc/native';
import { NamespaceError } from './errors.js';
import { invalidArgument } from '@kc/native';

/** What the kernel calls each namespace kind: its clone(2) flag and its `/proc/PID/ns/` file. */
export interface NamespaceKindInfo {
  /** The kind, as named in `/proc/PID/ns/`. */
  kind: NamespaceKind;
  /** The CLONE_NEW* flag of clone(2), unshare(2) and setns(2). */
  cloneFlag: number;
  /** The flag's name, e.g. `'CLONE_NEWNET'`. */
  cloneFlagName: string;
  /** The file name under `/proc/PID/ns/`. */
  procName: string;
  /** The kernel version that introduced the kind. */
  since: string;
}

/**
 * The eight namespace kinds (namespaces(7)), keyed by kind.
 *
 * @example
 * ```ts
 * NAMESPACE_KIND_INFO.net.cloneFlag === 0x40000000; // CLONE_NEWNET
 * ```
 */
export const NAMESPACE_KIND_INFO: Readonly<Record<NamespaceKind, NamespaceKindInfo>> = {
  mnt: { kind: 'mnt', cloneFlag: 0x00020000, cloneFlagName: 'CLONE_NEWNS', procName: 'mnt', since: '2.4.19' },
  uts: { kind: 'uts', cloneFlag: 0x04000000, cloneFlagName: 'CLONE_NEWUTS', procName: 'uts', since: '2.6.19' },
  ipc: { kind: 'ipc', cloneFlag: 0x08000000, cloneFlagName: 'CLONE_NEWIPC', procName: 'ipc', since: '2.6.19' },
  user: { kind: 'user', cloneFlag: 0x10000000, cloneFlagName: 'CLONE_NEWUSER', procName: 'user', since: '3.8' },
  pid: { kind: 'pid', cloneFlag: 0x20000000, cloneFlagName: 'CLONE_NEWPID', procName: 'pid', since: '2.6.24' },
  net: { kind: 'net', cloneFlag: 0x40000000, cloneFlagName: 'CLONE_NEWNET', procName: 'net', since: '2.6.29' },
  cgroup: { kind: 'cgroup', cloneFlag: 0x02000000, cloneFlagName: 'CLONE_NEWCGROUP', procName: 'cgroup', since: '4.6' },
  time: { kind: 'time', cloneFlag: 0x00000080, cloneFlagName: 'CLONE_NEWTIME', procName: 'time', since: '5.6' },
};

/** All eight kinds, in the order lsns(8) reports them for one process. */
export const ALL_NAMESPACE_KINDS: readonly NamespaceKind[] = ['mnt', 'net', 'time', 'cgroup', 'pid', 'user', 'uts', 'ipc'];

/** True when `value` names one of the eight namespace kinds. */
export function isNamespaceKind(value: unknown): value is NamespaceKind {
  return typeof value === 'string' && Object.hasOwn(NAMESPACE_KIND_INFO, value);
}

/**
 * Checks that `value` is a namespace kind and returns it typed.
 *
 * @param field - the input field named in the error.
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` for anything else (e.g. `'network'`).
 */
export function parseNamespaceKind(value: unknown, field = 'kind'): NamespaceKind {
  if (isNamespaceKind(value)) return value;
  throw invalidArgument(NamespaceError, field, `unknown namespace kind ${JSON.stringify(value)}`, `use one of ${ALL_NAMESPACE_KINDS.join(', ')}`);
}

/** The kind whose CLONE_NEW* flag is `flag` (as NS_GET_NSTYPE returns it), or undefined. */
export function kindOfCloneFlag(flag: number): NamespaceKind | undefined {
  return ALL_NAMESPACE_KINDS.find((k) => NAMESPACE_KIND_INFO[k].cloneFlag === flag);
}

/**
 * ORs the clone flags of several kinds (what unshare(2) or clone3 take).
 *
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` for an unknown kind.
 * @example
 * ```ts
 * cloneFlagsOf(['net', 'uts']) === 0x44000000;
 * ```
 */
export function cloneFlagsOf(kinds: readonly string[]): number {
  let flags = 0;
  kinds.forEach((k, i) => {
    flags |= NAMESPACE_KIND_INFO[parseNamespaceKind(k, `kinds[${i}]`)].cloneFlag;
  });
  return flags >>> 0;
}
