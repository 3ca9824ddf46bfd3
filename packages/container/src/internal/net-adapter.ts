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

/** Sets up loopback and sysctls in the namespaces of `pid`. */
export function configureNamespaces(pid: number, options: { loopback: boolean; sysctl?: Record<string, string> }): void {
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
  if (options.loopback) {
    using netns = Namespace.fromPid(pid, 'net');
    setLinkUp('lo', { netns });
  }
  if (entries.length === 0) return;
  const script = [...entries.map((_, i) => `printf '%s' "$${2 * i + 2}" > "$${2 * i + 1}" || exit 1`)].filter(Boolean).join('\n');
  const args = entries.flatMap(([k, v]) => [`/proc/sys/${k.replace(/\./g, '/')}`, v]);
  try {
    execFileSync(
      'nsenter',
      [`--net=/proc/${pid}/ns/net`, `--ipc=/proc/${pid}/ns/ipc`, `--uts=/proc/${pid}/ns/uts`, '--', 'sh', '-c', script, 'kc-ns', ...args],
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
