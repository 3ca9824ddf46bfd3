import { readlinkSync, statSync } from 'node:fs';
import { KcErrorCode, type NamespaceKind } from '@kc/native';
import { NamespaceError } from './errors.js';
import { ALL_NAMESPACE_KINDS, NAMESPACE_KIND_INFO, parseNamespaceKind } from './kinds.js';
import { checkPid, type Namespace } from './namespace.js';

/** The namespace inode of each kind for one process (`undefined` when the kernel lacks the kind). */
export type NamespaceIds = Partial<Record<NamespaceKind, number>>;

/** Parses a `/proc/PID/ns/*` link target such as `net:[4026531833]`. */
export function parseNamespaceLink(target: string): {
  /** The kind named before the colon, e.g. `net`; a link naming an unknown kind makes the whole result null. */
  kind: NamespaceKind;
  /** The nsfs inode number in the brackets: the namespace's identity, equal to `st_ino` of the file. */
  inode: number;
} | null {
  const m = /^([a-z]+):\[(\d+)\]$/.exec(target);
  if (!m || !Object.hasOwn(NAMESPACE_KIND_INFO, m[1] as string)) return null;
  return { kind: m[1] as NamespaceKind, inode: Number(m[2]) };
}

/**
 * The inode of each namespace of a process, read from its `/proc/PID/ns/*` links
 * (`'self'`: the calling process).
 * Needs ptrace read access to the process (root, or the same user).
 *
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` for a bad pid, `NOT_FOUND` when the process does not exist, `EACCES` without access.
 * @example
 * ```ts
 * const ids = namespacesOf(process.pid);
 * console.log(ids.net); // 4026531833
 * ```
 */
export function namespacesOf(pid: number | 'self'): NamespaceIds {
  checkPid(pid);
  const out: NamespaceIds = {};
  for (const kind of ALL_NAMESPACE_KINDS) {
    const path = `/proc/${pid}/ns/${NAMESPACE_KIND_INFO[kind].procName}`;
    let target: string;
    try {
      target = readlinkSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // A missing process has no /proc/PID at all; a missing kind only lacks its link.
        if (!existsProc(pid)) throw new NamespaceError(`process ${pid} does not exist`, { code: KcErrorCode.NotFound, path, cause: e });
        continue;
      }
      throw new NamespaceError(`cannot read ${path}: ${code}`, { code: code ?? 'EUNKNOWN', syscall: 'readlink', path, cause: e });
    }
    const parsed = parseNamespaceLink(target);
    if (parsed) out[kind] = parsed.inode;
  }
  return out;
}

function existsProc(pid: number | 'self'): boolean {
  try {
    statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** A process id or an open {@link Namespace} handle. */
export type NamespaceRef = number | Namespace;

/**
 * True when two processes (or handles) are in the same namespace of `kind`:
 * the kernel gives both the same nsfs inode.
 *
 * @param kind - required when either side is a pid; checked against handles.
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` for an unknown kind or a handle of another kind.
 * @example
 * ```ts
 * sameNamespace(process.pid, child.pid, 'net'); // false after CLONE_NEWNET
 * ```
 */
export function sameNamespace(a: NamespaceRef, b: NamespaceRef, kind?: NamespaceKind): boolean {
  const k = kind === undefined ? undefined : parseNamespaceKind(kind);
  const resolve = (ref: NamespaceRef, field: string): { dev: number; ino: number } => {
    if (typeof ref === 'number') {
      if (k === undefined) {
        throw new NamespaceError(`${field}: a pid needs the namespace kind`, { code: KcErrorCode.InvalidArgument, field: 'kind' });
      }
      checkPid(ref, field);
      const path = `/proc/${ref}/ns/${NAMESPACE_KIND_INFO[k].procName}`;
      try {
        const st = statSync(path);
        return { dev: st.dev, ino: st.ino };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new NamespaceError(`cannot stat ${path}`, {
          code: code === 'ENOENT' ? KcErrorCode.NotFound : (code ?? 'EUNKNOWN'),
          path,
          syscall: 'stat',
          cause: e,
        });
      }
    }
    if (k !== undefined && ref.kind !== k) {
      throw new NamespaceError(`${field}: ${ref.id} is not a ${k} namespace`, { code: KcErrorCode.InvalidArgument, field });
    }
    return { dev: ref.dev, ino: ref.inode };
  };
  const x = resolve(a, 'a');
  const y = resolve(b, 'b');
  if (typeof a !== 'number' && typeof b !== 'number' && a.kind !== b.kind) return false;
  return x.dev === y.dev && x.ino === y.ino;
}
