/**
 * Settings made from the host into a held container's namespaces:
 *
 * - `lo` up in a new network namespace (runc does the same: "loopback only"),
 *   over rtnetlink in that namespace with `@kc/namespaces`;
 * - `linux.sysctl` (with nsenter(1), until `@kc/namespaces` offers sysctl
 *   writes in a namespace): namespaced sysctl files (net.*, IPC's kernel.shm|msg|sem,
 *   fs.mqueue.*) resolve to the namespace of the *writer*, so writing them
 *   from a process that entered the container's net/ipc/uts namespaces sets
 *   the container's values. Done from outside because inside, /proc/sys is
 *   already read-only when the spawn pipeline's sysctl step runs.
 */
import { execFileSync } from 'node:child_process';
import { invalidArgument } from '@kc/native';
import { Namespace, setLinkUp } from '@kc/namespaces';
import { ContainerError } from '../errors.js';

/** True for sysctl keys that belong to a namespace (the keys runc accepts). */
export function isNamespacedSysctl(key: string): boolean {
  return /^net\./.test(key) || /^fs\.mqueue\./.test(key) || /^kernel\.(shm|msg|sem)/.test(key) || key === 'kernel.hostname' || key === 'kernel.domainname';
}

/**
 * Brings `lo` up in the network namespace of `pid` from a rootless kc, in a
 * child (nsenter(1)) rather than in this process, which could not setns(2)
 * back into its own network namespace (owned by a user namespace where it
 * has no CAP_SYS_ADMIN). `enterUser` (kc's euid is not 0): through the
 * container's user namespace, which its owner may join and where it has
 * the capabilities setns needs; Node, being threaded, cannot join one.
 */
function rootlessLoopback(pid: number, enterUser: boolean): void {
  const user = enterUser ? [`--user=/proc/${pid}/ns/user`, '--preserve-credentials'] : [];
  try {
    execFileSync('nsenter', [...user, `--net=/proc/${pid}/ns/net`, '--', 'ip', 'link', 'set', 'lo', 'up'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim();
    throw new ContainerError(`cannot bring up the container's loopback: ${stderr || (e as Error).message}`, {
      code: 'TOOL_FAILED',
      hint: 'needs nsenter (util-linux) and ip (iproute2) on the host',
      cause: e,
    });
  }
}

/**
 * Sets up loopback and sysctls in the namespaces of `pid`. `rootless`: kc
 * runs rootless (see {@link rootlessLoopback}); `enterUser`: its euid is not
 * 0, so it acts through the container's user namespace.
 */
export function configureNamespaces(
  pid: number,
  options: { loopback: boolean; sysctl?: Record<string, string>; rootless?: boolean; enterUser?: boolean },
): void {
  const entries = Object.entries(options.sysctl ?? {});
  for (const [k] of entries) {
    if (!isNamespacedSysctl(k))
      throw invalidArgument(
        ContainerError,
        `linux.sysctl.${k}`,
        'is not namespaced: setting it would change the host',
        'only net.*, fs.mqueue.*, kernel.shm*/msg*/sem are allowed',
      );
  }
  if (options.loopback && options.rootless) rootlessLoopback(pid, options.enterUser === true);
  else if (options.loopback) {
    using netns = Namespace.fromPid(pid, 'net');
    setLinkUp('lo', { netns });
  }
  if (entries.length === 0) return;
  const script = [...entries.map((_, i) => `printf '%s' "$${2 * i + 2}" > "$${2 * i + 1}" || exit 1`)].filter(Boolean).join('\n');
  const args = entries.flatMap(([k, v]) => [`/proc/sys/${k.replace(/\./g, '/')}`, v]);
  try {
    execFileSync(
      'nsenter',
      [
        // Rootless: through the container's user namespace first (see rootlessLoopback).
        ...(options.enterUser ? [`--user=/proc/${pid}/ns/user`, '--preserve-credentials'] : []),
        `--net=/proc/${pid}/ns/net`,
        `--ipc=/proc/${pid}/ns/ipc`,
        `--uts=/proc/${pid}/ns/uts`,
        '--',
        'sh',
        '-c',
        script,
        'kc-ns',
        ...args,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim();
    throw new ContainerError(`cannot configure the container's namespaces: ${stderr || (e as Error).message}`, {
      code: 'TOOL_FAILED',
      hint: 'needs nsenter (util-linux); check the sysctl keys exist',
      cause: e,
    });
  }
}
