/**
 * The capabilities the kernel defines, from include/uapi/linux/capability.h
 * (Linux 5.9 added the last one, CAP_CHECKPOINT_RESTORE = 40) and
 * capabilities(7). Numbers above {@link KNOWN_LAST_CAP} are future
 * capabilities: kc keeps them (named by their number, as libcap does).
 */

/** One capability: its number, its kernel name and what it allows. */
export interface CapabilityInfo {
  /** Bit number, as in `CAP_*` of linux/capability.h. */
  readonly number: number;
  /** Kernel name, e.g. `'CAP_NET_RAW'`. */
  readonly name: string;
  /** One line from capabilities(7). */
  readonly description: string;
}

const TABLE: readonly (readonly [string, string])[] = [
  ['CAP_CHOWN', 'Make arbitrary changes to file UIDs and GIDs (chown(2)).'],
  ['CAP_DAC_OVERRIDE', 'Bypass file read, write and execute permission checks.'],
  ['CAP_DAC_READ_SEARCH', 'Bypass file read and directory read/execute permission checks; open_by_handle_at(2).'],
  ['CAP_FOWNER', 'Bypass checks that the file UID must match the caller (chmod, utime, set xattrs, O_NOATIME).'],
  ['CAP_FSETID', 'Keep set-user-ID and set-group-ID bits when a file is modified; set setgid for foreign groups.'],
  ['CAP_KILL', 'Bypass permission checks for sending signals.'],
  ['CAP_SETGID', 'Make arbitrary changes to process GIDs and the supplementary group list; forge GIDs over sockets.'],
  ['CAP_SETUID', 'Make arbitrary changes to process UIDs; forge UIDs over sockets.'],
  ['CAP_SETPCAP', 'Add bounding-set capabilities to the inheritable set, drop from the bounding set, change securebits.'],
  ['CAP_LINUX_IMMUTABLE', 'Set the FS_APPEND_FL and FS_IMMUTABLE_FL inode flags.'],
  ['CAP_NET_BIND_SERVICE', 'Bind a socket to Internet domain privileged ports (below 1024).'],
  ['CAP_NET_BROADCAST', 'Unused: make socket broadcasts and listen to multicasts.'],
  ['CAP_NET_ADMIN', 'Perform network administration: interfaces, routing, firewall, sockets options.'],
  ['CAP_NET_RAW', 'Use RAW and PACKET sockets; bind to any address for transparent proxying.'],
  ['CAP_IPC_LOCK', 'Lock memory (mlock(2), mlockall(2), mmap(2) MAP_LOCKED, SHM_LOCK).'],
  ['CAP_IPC_OWNER', 'Bypass permission checks for System V IPC objects.'],
  ['CAP_SYS_MODULE', 'Load and unload kernel modules.'],
  ['CAP_SYS_RAWIO', 'Perform I/O port operations and access /proc/kcore, /dev/mem; FIBMAP.'],
  ['CAP_SYS_CHROOT', 'Use chroot(2); change mount namespaces with setns(2).'],
  ['CAP_SYS_PTRACE', 'Trace arbitrary processes (ptrace(2)); process_vm_readv/writev; kcmp.'],
  ['CAP_SYS_PACCT', 'Use acct(2).'],
  ['CAP_SYS_ADMIN', 'Perform a range of system administration operations (mount, sethostname, quotactl, ...).'],
  ['CAP_SYS_BOOT', 'Use reboot(2) and kexec_load(2).'],
  ['CAP_SYS_NICE', 'Raise nice values, set real-time scheduling and CPU affinity of arbitrary processes.'],
  ['CAP_SYS_RESOURCE', 'Override resource limits, quotas and reserved filesystem space.'],
  ['CAP_SYS_TIME', 'Set the system clock and the real-time (hardware) clock.'],
  ['CAP_SYS_TTY_CONFIG', 'Use vhangup(2) and privileged ioctl(2) operations on virtual terminals.'],
  ['CAP_MKNOD', 'Create special files using mknod(2).'],
  ['CAP_LEASE', 'Establish leases on arbitrary files (fcntl(2) F_SETLEASE).'],
  ['CAP_AUDIT_WRITE', 'Write records to the kernel auditing log.'],
  ['CAP_AUDIT_CONTROL', 'Enable and disable kernel auditing; change auditing filter rules.'],
  ['CAP_SETFCAP', 'Set arbitrary capabilities on a file; map uid 0 in a child user namespace.'],
  ['CAP_MAC_OVERRIDE', 'Override Mandatory Access Control (Smack).'],
  ['CAP_MAC_ADMIN', 'Allow MAC configuration or state changes (Smack).'],
  ['CAP_SYSLOG', 'Perform privileged syslog(2) operations; see kernel addresses in /proc.'],
  ['CAP_WAKE_ALARM', 'Trigger something that will wake up the system (CLOCK_*_ALARM timers).'],
  ['CAP_BLOCK_SUSPEND', 'Employ features that can block system suspend (EPOLLWAKEUP, wake locks).'],
  ['CAP_AUDIT_READ', 'Read the audit log via a multicast netlink socket.'],
  ['CAP_PERFMON', 'Employ performance monitoring (perf_event_open(2)) and some BPF operations.'],
  ['CAP_BPF', 'Employ privileged BPF operations (bpf(2) maps and programs).'],
  ['CAP_CHECKPOINT_RESTORE', 'Checkpoint/restore operations: set_tid in clone3, ns_last_pid, map_files.'],
];

/** Every capability kc knows by name, indexed by number (0..{@link KNOWN_LAST_CAP}). */
export const CAPABILITIES: readonly CapabilityInfo[] = Object.freeze(TABLE.map(([name, description], number) => Object.freeze({ number, name, description })));

/** The highest capability number kc (and libcap 2.66, and Linux 5.9..6.18) knows by name: CAP_CHECKPOINT_RESTORE. */
export const KNOWN_LAST_CAP = CAPABILITIES.length - 1;

/** The highest bit a capability mask can hold: the kernel's ABI has two 32-bit words per set. */
export const MAX_CAP_NUMBER = 63;

/** Capability numbers by kernel name, e.g. `Cap.NET_RAW === 13`. */
export const Cap = Object.freeze(Object.fromEntries(CAPABILITIES.map((c) => [c.name.slice(4), c.number])) as Record<CapName, number>);

/** Short capability names (without `CAP_`) kc knows. */
export type CapName =
  | 'CHOWN'
  | 'DAC_OVERRIDE'
  | 'DAC_READ_SEARCH'
  | 'FOWNER'
  | 'FSETID'
  | 'KILL'
  | 'SETGID'
  | 'SETUID'
  | 'SETPCAP'
  | 'LINUX_IMMUTABLE'
  | 'NET_BIND_SERVICE'
  | 'NET_BROADCAST'
  | 'NET_ADMIN'
  | 'NET_RAW'
  | 'IPC_LOCK'
  | 'IPC_OWNER'
  | 'SYS_MODULE'
  | 'SYS_RAWIO'
  | 'SYS_CHROOT'
  | 'SYS_PTRACE'
  | 'SYS_PACCT'
  | 'SYS_ADMIN'
  | 'SYS_BOOT'
  | 'SYS_NICE'
  | 'SYS_RESOURCE'
  | 'SYS_TIME'
  | 'SYS_TTY_CONFIG'
  | 'MKNOD'
  | 'LEASE'
  | 'AUDIT_WRITE'
  | 'AUDIT_CONTROL'
  | 'SETFCAP'
  | 'MAC_OVERRIDE'
  | 'MAC_ADMIN'
  | 'SYSLOG'
  | 'WAKE_ALARM'
  | 'BLOCK_SUSPEND'
  | 'AUDIT_READ'
  | 'PERFMON'
  | 'BPF'
  | 'CHECKPOINT_RESTORE';

/**
 * A capability name in one of the spellings kc accepts, as a literal union so
 * a typo (`'NET_BIND_SERVIC'`) does not compile: the kernel name
 * (`'CAP_NET_RAW'`), libcap's lower case (`'cap_net_raw'`), either without the
 * prefix (`'NET_RAW'`, `'net_raw'`), or the decimal number of a capability
 * newer than kc (`'41'`). At run time any letter case is accepted, and an
 * unknown name is rejected with a `CapsError`, for JavaScript callers.
 */
export type CapabilityName = CapName | `CAP_${CapName}` | Lowercase<CapName> | `cap_${Lowercase<CapName>}` | `${number}`;

/**
 * A capability given by number (0..63) or by name in any of the usual spellings (`CAP_NET_RAW`, `cap_net_raw`, `NET_RAW`).
 *
 * @example
 * ```ts
 * CapSet.of('NET_RAW', 'cap_net_admin', 0); // compiles
 * CapSet.of('NET_BIND_SERVIC');             // does not compile
 * ```
 */
export type CapabilityLike = number | CapabilityName;

const byLowerName = new Map<string, number>();
for (const c of CAPABILITIES) {
  byLowerName.set(c.name.toLowerCase(), c.number);
  byLowerName.set(c.name.slice(4).toLowerCase(), c.number);
}

/**
 * The number of a capability name, case-insensitive, with or without the
 * `CAP_` prefix; `undefined` when unknown.
 *
 * @example
 * ```ts
 * capabilityNumber('cap_net_raw'); // 13
 * capabilityNumber('NET_ADMIN');   // 12
 * ```
 */
export function capabilityNumber(name: string): number | undefined {
  return byLowerName.get(name.toLowerCase());
}

/**
 * The kernel name of capability `n` (`'CAP_CHOWN'`), or its decimal number
 * for capabilities newer than kc (`'41'`), as libcap's `cap_to_name` does.
 */
export function capabilityName(n: number): `CAP_${CapName}` | `${number}` {
  return (CAPABILITIES[n]?.name as `CAP_${CapName}` | undefined) ?? `${n}`;
}

/** The facts about capability `n`; a future capability gets a generic description. */
export function capabilityInfo(n: number): CapabilityInfo {
  return CAPABILITIES[n] ?? { number: n, name: String(n), description: `Capability ${n}, newer than this version of kc.` };
}
