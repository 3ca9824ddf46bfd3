import { closeSync, readFileSync } from 'node:fs';
import { KcErrorCode, NsIoctlOp, rawNsinfo, type NamespaceKind } from '@kc/native';
import { NamespaceError } from './errors.js';
import { closeQuietly, nsCall } from './internal/native-call.js';
import { kindOfCloneFlag, NAMESPACE_KIND_INFO, parseNamespaceKind } from './kinds.js';

/** PIDFD_GET_*_NAMESPACE ioctl numbers (include/uapi/linux/pidfd.h, Linux 6.11+). */
const PIDFD_NS_IOCTL: Record<NamespaceKind, number> = {
  cgroup: 1,
  ipc: 2,
  mnt: 3,
  net: 4,
  pid: 5,
  time: 7,
  user: 9,
  uts: 10,
};

/**
 * An open namespace file (`/proc/PID/ns/<kind>`, a bind mount of one, or an fd
 * from an ioctl): the handle `setns(2)` and spawn joins take. Holding it keeps
 * the namespace alive. Dispose it (`using ns = ...`) or call {@link Namespace.close}.
 *
 * @example
 * ```ts
 * using net = Namespace.fromPid(1234, 'net');
 * console.log(net.inode, net.owner().inode);
 * ```
 */
export class Namespace implements Disposable {
  /** The namespace kind, checked with NS_GET_NSTYPE. */
  readonly kind: NamespaceKind;
  /** The namespace's identity: its nsfs inode number (what `lsns` shows as NS). */
  readonly inode: number;
  /** The nsfs device number (inode plus device identify a namespace). */
  readonly dev: number;
  /** Where the handle came from (a path, or `pidfd:<n>`), for messages. */
  readonly source: string;
  #fd: number;

  private constructor(fd: number, kind: NamespaceKind, source: string) {
    this.#fd = fd;
    this.kind = kind;
    this.source = source;
    const st = nsCall(() => rawNsinfo().nsStat(fd));
    this.inode = st.ino;
    this.dev = st.dev;
  }

  /**
   * Takes ownership of an open namespace fd, checking its kind with NS_GET_NSTYPE.
   *
   * @param expected - when given, the fd must be a namespace of this kind.
   * @throws {@link NamespaceError} `INVALID_ARGUMENT` when the fd is not a namespace (or not of `expected` kind); the fd is closed then.
   */
  static fromFd(fd: number, expected?: NamespaceKind, source = `fd:${fd}`): Namespace {
    let kind: NamespaceKind | undefined;
    try {
      const type = nsCall(() => rawNsinfo().nsIoctl(fd, NsIoctlOp.GetNstype), { path: source });
      kind = kindOfCloneFlag(type);
    } catch (e) {
      closeQuietly(fd);
      if (e instanceof NamespaceError && (e.code === 'ENOTTY' || e.code === 'EINVAL')) {
        throw new NamespaceError(`${source} is not a namespace file`, {
          code: KcErrorCode.InvalidArgument,
          path: source,
          hint: 'give /proc/PID/ns/<kind> or a bind mount of one',
          cause: e,
        });
      }
      throw e;
    }
    if (kind === undefined || (expected !== undefined && kind !== expected)) {
      closeQuietly(fd);
      throw new NamespaceError(`${source} is a ${kind ?? 'unknown'} namespace, not ${expected}`, {
        code: KcErrorCode.InvalidArgument,
        path: source,
      });
    }
    return new Namespace(fd, kind, source);
  }

  /**
   * Opens a namespace file by path (`/proc/PID/ns/net`, `/run/netns/NAME`).
   *
   * @param expected - the kind the file must be; checked with NS_GET_NSTYPE.
   * @throws {@link NamespaceError} `NOT_FOUND` when the path does not exist, `INVALID_ARGUMENT` when it is not a namespace file of that kind, `EACCES`/`EPERM` without ptrace access to the process.
   */
  static fromPath(path: string, expected?: NamespaceKind): Namespace {
    if (expected !== undefined) parseNamespaceKind(expected);
    let fd: number;
    try {
      fd = nsCall(() => rawNsinfo().nsOpen(path), { path });
    } catch (e) {
      if (e instanceof NamespaceError && e.code === 'ENOENT') {
        throw new NamespaceError(`namespace file ${path} does not exist`, {
          code: KcErrorCode.NotFound,
          errno: e.errno,
          syscall: 'open',
          path,
          cause: e,
        });
      }
      throw e;
    }
    return Namespace.fromFd(fd, expected, path);
  }

  /**
   * Opens the `kind` namespace of process `pid` (`/proc/PID/ns/<kind>`);
   * `'self'` is the calling process.
   *
   * @throws {@link NamespaceError} `INVALID_ARGUMENT` for an unknown kind or a bad pid, `NOT_FOUND` when the process is gone.
   * @example
   * ```ts
   * using uts = Namespace.fromPid(process.pid, 'uts');
   * ```
   */
  static fromPid(pid: number | 'self', kind: NamespaceKind): Namespace {
    checkPid(pid);
    const k = parseNamespaceKind(kind);
    return Namespace.fromPath(`/proc/${pid}/ns/${NAMESPACE_KIND_INFO[k].procName}`, k);
  }

  /**
   * Opens the `kind` namespace of the process behind a pidfd. Uses
   * PIDFD_GET_*_NAMESPACE (Linux 6.11+), else `/proc/PID/ns` of the pid the
   * pidfd names, checking afterwards that the process still runs (no pid reuse race).
   *
   * @throws {@link NamespaceError} `ESRCH` when the process has exited.
   */
  static fromPidfd(pidfd: number, kind: NamespaceKind): Namespace {
    const k = parseNamespaceKind(kind);
    try {
      const fd = nsCall(() => rawNsinfo().pidfdGetNamespace(pidfd, PIDFD_NS_IOCTL[k]));
      return Namespace.fromFd(fd, k, `pidfd:${pidfd}`);
    } catch (e) {
      if (!(e instanceof NamespaceError) || (e.code !== 'ENOTTY' && e.code !== 'EINVAL')) throw e;
    }
    const pid = pidOfPidfd(pidfd);
    const ns = Namespace.fromPid(pid, k);
    if (pidOfPidfd(pidfd) !== pid) {
      ns.close();
      throw new NamespaceError(`the process of pidfd ${pidfd} exited`, { code: 'ESRCH' });
    }
    return ns;
  }

  /** The caller's own namespace of `kind` (`/proc/self/ns/<kind>`). */
  static current(kind: NamespaceKind): Namespace {
    const k = parseNamespaceKind(kind);
    return Namespace.fromPath(`/proc/self/ns/${NAMESPACE_KIND_INFO[k].procName}`, k);
  }

  /** The open fd (owned by this handle; valid until {@link Namespace.close}). */
  get fd(): number {
    if (this.#fd < 0) throw new NamespaceError(`namespace handle ${this.source} is closed`, { code: KcErrorCode.InvalidState });
    return this.#fd;
  }

  /** True once {@link Namespace.close} ran. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** `net:[4026531833]`, as the `/proc/PID/ns/*` links read. */
  get id(): string {
    return `${this.kind}:[${this.inode}]`;
  }

  /**
   * The user namespace that owns this one (NS_GET_USERNS, ioctl_ns(2)).
   *
   * @throws {@link NamespaceError} `EPERM` when the owner is outside the caller's user namespace.
   */
  owner(): Namespace {
    const fd = nsCall(() => rawNsinfo().nsIoctl(this.fd, NsIoctlOp.GetUserns), { path: this.source });
    return Namespace.fromFd(fd, 'user', `owner of ${this.id}`);
  }

  /**
   * The parent of a pid or user namespace (NS_GET_PARENT), or `null` at the
   * top the caller can see (EPERM) or for kinds without hierarchy (EINVAL).
   */
  parent(): Namespace | null {
    try {
      const fd = nsCall(() => rawNsinfo().nsIoctl(this.fd, NsIoctlOp.GetParent), { path: this.source });
      return Namespace.fromFd(fd, this.kind, `parent of ${this.id}`);
    } catch (e) {
      if (e instanceof NamespaceError && (e.code === 'EPERM' || e.code === 'EINVAL')) return null;
      throw e;
    }
  }

  /**
   * The uid that created this user namespace, in the caller's user namespace (NS_GET_OWNER_UID).
   *
   * @throws {@link NamespaceError} `INVALID_STATE` when this is not a user namespace.
   */
  ownerUid(): number {
    if (this.kind !== 'user') {
      throw new NamespaceError(`${this.id} is not a user namespace`, { code: KcErrorCode.InvalidState });
    }
    return nsCall(() => rawNsinfo().nsOwnerUid(this.fd), { path: this.source });
  }

  /** True when `other` is the same namespace (same nsfs device and inode). */
  equals(other: Namespace): boolean {
    return this.inode === other.inode && this.dev === other.dev;
  }

  /** Closes the fd; the namespace lives on while other processes, fds or bind mounts hold it. Idempotent. */
  close(): void {
    if (this.#fd >= 0) {
      const fd = this.#fd;
      this.#fd = -1;
      closeSync(fd);
    }
  }

  /** Same as {@link Namespace.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Rejects pids that are not positive integers (or `'self'`), before any system call. */
export function checkPid(pid: number | 'self', field = 'pid'): void {
  if (pid === 'self') return;
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new NamespaceError(`${field}: ${pid} is not a process id`, { code: KcErrorCode.InvalidArgument, field });
  }
}

/** The pid a pidfd refers to, from `/proc/self/fdinfo/<fd>` (`Pid: -1` once it exited). */
function pidOfPidfd(pidfd: number): number {
  const m = /^Pid:\s*(-?\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${pidfd}`, 'utf8'));
  const pid = m ? Number(m[1]) : -1;
  if (pid <= 0) throw new NamespaceError(`fd ${pidfd} is not a pidfd of a running process`, { code: 'ESRCH' });
  return pid;
}
