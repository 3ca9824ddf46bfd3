import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Where shims' sockets live, as containerd 1.6's runc shim puts them; `KC_SHIM_SOCKET_DIR` overrides it. */
export const DEFAULT_SOCKET_DIR = '/run/containerd/s';

/**
 * The shim's socket path for one task: a digest of containerd's address,
 * namespace and id (one shim per task, stable across a `start` retried), in
 * the socket directory. 32 hex digits keep the path under sun_path's 108
 * bytes from a longer test directory; "kc" in the digest keeps it apart
 * from the runc shim's socket for the same task.
 */
export function shimSocketPath(containerdAddress: string, namespace: string, id: string, dir = DEFAULT_SOCKET_DIR): string {
  const digest = createHash('sha256')
    .update(`kc\0${join(containerdAddress, namespace, id)}`)
    .digest('hex');
  return join(dir, digest.slice(0, 32));
}

/** The kc state root the shim keeps a namespace's containers under: `KC_SHIM_ROOT` or /run/containerd/kc, then the namespace. */
export function shimStateRoot(namespace: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.KC_SHIM_ROOT || '/run/containerd/kc', namespace);
}
