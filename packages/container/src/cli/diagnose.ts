/**
 * The first failures a newcomer meets, each turned into one line that says
 * the cause and the fix: not root, Node too old, a kernel without the system
 * calls kc needs, no cgroup filesystem, CRIU missing, a bundle without
 * config.json. The library
 * throws typed errors; only the CLI words them for a person.
 */
import { release } from 'node:os';
import { dirname } from 'node:path';
import type { CommandName } from './help.js';

/** The oldest Node.js kc runs on (package.json `engines.node`, checked by a unit test). */
export const MIN_NODE = '20.17.0';

/** Commands that change kernel state, hence need root unless kc runs rootless (see internal/rootless.ts). */
const NEEDS_ROOT: ReadonlySet<string> = new Set<CommandName>([
  'create',
  'start',
  'run',
  'exec',
  'kill',
  'delete',
  'pause',
  'resume',
  'checkpoint',
  'restore',
  'update',
]);

/** The Linux release that added each system call kc cannot do without (man 2 clone3, openat2, pidfd_open). */
const SYSCALL_KERNEL: Readonly<Record<string, string>> = {
  clone3: '5.7 (clone3 with CLONE_INTO_CGROUP)',
  openat2: '5.6 (openat2)',
  pidfd_open: '5.3 (pidfd_open)',
  pidfd_send_signal: '5.1 (pidfd_send_signal)',
  close_range: '5.9 (close_range)',
};

function versionParts(v: string): number[] {
  return v.split('.').map((n) => Number.parseInt(n, 10) || 0);
}

/** One line when `version` is older than {@link MIN_NODE}, else undefined. */
export function nodeTooOld(version: string): string | undefined {
  const have = versionParts(version);
  const need = versionParts(MIN_NODE);
  for (let i = 0; i < need.length; i++) {
    const h = have[i] ?? 0;
    const n = need[i] ?? 0;
    if (h > n) return undefined;
    if (h < n) return `kc needs Node.js >= ${MIN_NODE}, this is ${version}: install a newer Node.js (e.g. with nvm or from nodejs.org)`;
  }
  return undefined;
}

/** One line when `command` needs root and the effective uid is not 0, else undefined. */
export function needsRoot(command: string, euid: number): string | undefined {
  if (euid === 0 || !NEEDS_ROOT.has(command)) return undefined;
  return `kc ${command} needs root (it creates namespaces, cgroups and mounts): run it as root, e.g. sudo kc ${command} ...`;
}

/** The fields of an error the CLI looks at (KcError and Node's system errors both have them). */
interface ErrorFields {
  message: string;
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
  hint?: unknown;
}

/**
 * Words `e`, thrown by `command`, as one line: the cause and the fix for the
 * failures above, else the error's message and its hint. Never a stack trace.
 */
export function explain(e: unknown, command: string, euid: number): string {
  if (!(e instanceof Error)) return String(e);
  const f = e as Error & ErrorFields;
  const code = typeof f.code === 'string' ? f.code : undefined;
  const path = typeof f.path === 'string' ? f.path : undefined;
  const syscall = typeof f.syscall === 'string' ? f.syscall : undefined;
  if (code === 'ENOSYS') {
    const need = (syscall && SYSCALL_KERNEL[syscall]) ?? '5.8';
    return `this kernel (${release()}) lacks ${syscall ?? 'a system call kc needs'}: kc needs Linux >= ${need}; run it on a newer kernel`;
  }
  if ((code === 'EPERM' || code === 'EACCES') && euid !== 0) {
    return `${f.message}: kc ${command} needs root; run it as root, e.g. sudo kc ${command} ...`;
  }
  if (code === 'UNSUPPORTED' && /no cgroup filesystem/.test(f.message)) {
    return 'no cgroup filesystem is mounted: kc needs one at /sys/fs/cgroup; mount it with `mount -t cgroup2 none /sys/fs/cgroup` (as root)';
  }
  if (code === 'NOT_FOUND' && path?.endsWith('/config.json')) {
    const bundle = dirname(path);
    return `no config.json in bundle ${bundle}: write a default one with "kc spec --bundle ${bundle}", then set root.path and process.args`;
  }
  if (code === 'NOT_FOUND' && (command === 'checkpoint' || command === 'restore') && /\bcriu\b/i.test(f.message)) {
    return `kc ${command} needs CRIU >= 4.0, which was not found: install it (in the kc repository: bash scripts/install-criu.sh)`;
  }
  const hint = typeof f.hint === 'string' && !f.message.includes(f.hint) ? ` (${f.hint})` : '';
  return f.message.split('\n')[0] + hint;
}
