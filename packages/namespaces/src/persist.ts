import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { invalidArgument, KcErrorCode, type NamespaceKind } from '@kc/native';
import { NamespaceError } from './errors.js';
import { nsfsMounts } from './internal/lsns-aggregate.js';
import { parseNamespaceKind } from './kinds.js';
import { MNT, MS } from './mounts/flags.js';
import { mountNow, unmountNow } from './mounts/host-mounts.js';
import { Namespace } from './namespace.js';

/** Where iproute2 keeps named network namespaces (`ip netns add NAME`). */
export const NETNS_RUN_DIR = '/run/netns';

/** Longest name a persisted namespace may have (NAME_MAX). */
const NAME_MAX = 255;

/**
 * Checks a namespace name as `ip netns` would accept it: 1..255 bytes, no
 * `/`, not `.` or `..`, no NUL.
 *
 * @throws {@link NamespaceError} `INVALID_ARGUMENT`.
 */
export function validateNamespaceName(name: string, field = 'name'): void {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw invalidArgument(NamespaceError, field, `${JSON.stringify(name)} is not a namespace name`, 'use a file name without /');
  }
  if (Buffer.byteLength(name) > NAME_MAX) throw invalidArgument(NamespaceError, field, `longer than ${NAME_MAX} bytes`);
}

/** The path of a named network namespace: `/run/netns/<name>`. */
export function netnsPath(name: string): string {
  validateNamespaceName(name);
  return `${NETNS_RUN_DIR}/${name}`;
}

/**
 * Makes `/run/netns` a shared mount point, as iproute2 does before its first
 * `ip netns add`: a bind mount of the directory onto itself when it is not
 * a mount point yet, then MS_SHARED|MS_REC, so namespaces persisted later
 * propagate to mount namespaces created from the host's.
 */
export function ensureNetnsDir(dir = NETNS_RUN_DIR): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  try {
    mountNow({ target: dir, flags: MS.SHARED | MS.REC });
  } catch (e) {
    if (!(e instanceof NamespaceError) || e.code !== 'EINVAL') throw e;
    // EINVAL: not a mount point yet (ip/ipnetns.c does the same two steps).
    mountNow({ source: dir, target: dir, flags: MS.BIND | MS.REC });
    mountNow({ target: dir, flags: MS.SHARED | MS.REC });
  }
}

/**
 * Keeps a namespace alive after its processes exit by bind-mounting its file
 * at `path` (an empty file created here; it must not exist). This is what
 * `ip netns add` and `unshare --net=FILE` do. On failure the created file is
 * removed again.
 *
 * Privileges: CAP_SYS_ADMIN (mount).
 * @throws {@link NamespaceError} `INVALID_STATE` when `path` exists, `NOT_FOUND` when its directory is missing, or the errno of mount(2).
 * @example
 * ```ts
 * using ns = Namespace.fromPid(child.pid, 'uts');
 * persistNamespace(ns, '/run/kc/uts-box');
 * ```
 */
export function persistNamespace(ns: Namespace, path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/')) throw invalidArgument(NamespaceError, 'path', `${JSON.stringify(path)} is not an absolute path`);
  if (existsSync(path)) {
    throw new NamespaceError(`${path} already exists`, { code: KcErrorCode.InvalidState, path, hint: 'remove it or pick another name' });
  }
  if (!existsSync(dirname(path))) {
    throw new NamespaceError(`directory ${dirname(path)} does not exist`, { code: KcErrorCode.NotFound, path: dirname(path) });
  }
  const source = `/proc/self/fd/${ns.fd}`;
  // O_EXCL: never bind over a file someone else just created (ipnetns.c uses the same flags).
  closeSync(openSync(path, 'wx', 0));
  try {
    mountNow({ source, target: path, flags: MS.BIND });
  } catch (e) {
    unlinkSync(path);
    throw e;
  }
}

/**
 * Persists a network namespace under `/run/netns/<name>`, where `ip netns`
 * and every iproute2-compatible tool find it.
 *
 * Privileges: root (CAP_SYS_ADMIN).
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` for a bad name or a handle of another kind, `INVALID_STATE` when the name is taken.
 * @example
 * ```ts
 * persistNetns('blue', Namespace.fromPid(child.pid, 'net')); // now `ip netns exec blue ...` works
 * ```
 */
export function persistNetns(name: string, ns: Namespace): string {
  const path = netnsPath(name);
  if (ns.kind !== 'net') throw invalidArgument(NamespaceError, 'ns', `${ns.id} is not a network namespace`);
  ensureNetnsDir();
  persistNamespace(ns, path);
  return path;
}

/**
 * Opens a persisted namespace by path (or a netns name under `/run/netns`).
 *
 * @throws {@link NamespaceError} `NOT_FOUND` when nothing is persisted there.
 */
export function openPersisted(pathOrNetnsName: string, kind?: NamespaceKind): Namespace {
  const path = pathOrNetnsName.includes('/') ? pathOrNetnsName : netnsPath(pathOrNetnsName);
  const k = kind ?? (pathOrNetnsName.includes('/') ? undefined : 'net');
  if (k !== undefined) parseNamespaceKind(k);
  return Namespace.fromPath(path, k);
}

/**
 * Removes a persisted namespace: unmounts the bind mount (MNT_DETACH, like
 * `ip netns del`) and deletes the file. The namespace itself ends when no
 * process or open fd holds it any more.
 *
 * @throws {@link NamespaceError} `NOT_FOUND` when the path does not exist; `INVALID_ARGUMENT` when it is not a namespace bind mount (nothing is deleted then).
 */
export function removePersisted(pathOrNetnsName: string): void {
  const path = pathOrNetnsName.includes('/') ? pathOrNetnsName : netnsPath(pathOrNetnsName);
  if (!existsSync(path)) throw new NamespaceError(`${path} does not exist`, { code: KcErrorCode.NotFound, path });
  if (!isNsfsMount(path)) {
    throw new NamespaceError(`${path} is not a persisted namespace (no nsfs mount there)`, { code: KcErrorCode.InvalidArgument, path });
  }
  // Stacked binds (persisting twice) all go: loop while the path is still an nsfs mount.
  for (let i = 0; i < 16 && isNsfsMount(path); i++) unmountNow(path, MNT.DETACH);
  unlinkSync(path);
}

/** Names of the network namespaces under `/run/netns` (what `ip netns list` shows). */
export function listNetns(): string[] {
  try {
    return readdirSync(NETNS_RUN_DIR).sort();
  } catch {
    return [];
  }
}

/** True when `path` is a mount point of an nsfs file in the caller's mount namespace (from /proc/self/mountinfo). */
export function isNsfsMount(path: string): boolean {
  for (const points of nsfsMounts(readFileSync('/proc/self/mountinfo', 'utf8')).values()) {
    if (points.includes(path)) return true;
  }
  return false;
}
