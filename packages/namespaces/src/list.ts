import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { NamespaceKind } from '@kc/native';
import { NamespaceError } from './errors.js';
import { parseNamespaceLink } from './inspect.js';
import { commandFrom, groupNamespaces, nsfsMounts, parsePasswd, ppidFromStat, type ProcessNamespaceSample } from './internal/lsns-aggregate.js';
import { ALL_NAMESPACE_KINDS, NAMESPACE_KIND_INFO, parseNamespaceKind } from './kinds.js';
import { Namespace } from './namespace.js';

/** One namespace of the machine, with the columns of `lsns --output-all`. */
export interface NamespaceInfo {
  /** The kind (lsns TYPE). */
  kind: NamespaceKind;
  /** The nsfs inode (lsns NS). */
  inode: number;
  /** `/proc/PID/ns/<kind>` of the lowest pid (lsns PATH). */
  path: string;
  /** Number of processes in it (lsns NPROCS); threads are not counted, as in lsns. */
  nprocs: number;
  /** Every process in it, ascending. */
  pids: number[];
  /** The lowest pid in it (lsns PID). */
  pid: number;
  /** That process's parent pid (lsns PPID). */
  ppid: number;
  /** That process's command line, or its comm for kernel threads (lsns COMMAND). */
  command: string;
  /** The owner uid of `/proc/PID` of that process (lsns UID). */
  uid: number;
  /** The user name of `uid` from /etc/passwd, else the number as text (lsns USER). */
  user: string;
  /** The owning user namespace's inode (lsns ONS); null when not visible from here (the initial user namespace). */
  ownerInode: number | null;
  /** The parent namespace's inode for pid and user namespaces (lsns PNS); null otherwise or at the top. */
  parentInode: number | null;
  /** Where the namespace is bind-mounted as an nsfs file (lsns NSFS), e.g. `/run/netns/blue`. */
  mountpoints: string[];
}

/** Options of {@link listNamespaces}. */
export interface ListNamespacesOptions {
  /** Only these kinds (lsns `-t`). Default: all. */
  kinds?: readonly NamespaceKind[];
}

/**
 * Every namespace that some process is in, as `lsns -J --output-all` reports it:
 * reads `/proc/PID/ns/*` of all processes, groups by inode, and asks the
 * kernel for the owner and parent with NS_GET_USERNS / NS_GET_PARENT.
 * Processes the caller may not inspect are left out (as lsns does). Needs
 * root to see every process.
 *
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` for an unknown kind in `options.kinds`.
 * @example
 * ```ts
 * for (const ns of listNamespaces({ kinds: ['net'] })) console.log(ns.inode, ns.nprocs, ns.command);
 * ```
 */
export function listNamespaces(options: ListNamespacesOptions = {}): NamespaceInfo[] {
  const kinds = (options.kinds ?? ALL_NAMESPACE_KINDS).map((k, i) => parseNamespaceKind(k, `kinds[${i}]`));
  const samples: ProcessNamespaceSample[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const namespaces: Partial<Record<NamespaceKind, number>> = {};
    for (const kind of kinds) {
      try {
        const parsed = parseNamespaceLink(readlinkSync(`/proc/${pid}/ns/${NAMESPACE_KIND_INFO[kind].procName}`));
        if (parsed) namespaces[kind] = parsed.inode;
      } catch {
        // gone, or not ours to inspect: lsns skips such processes too
      }
    }
    if (Object.keys(namespaces).length > 0) samples.push({ pid, ppid: 0, uid: 0, command: '', namespaces });
  }
  const users = readUsers();
  const mounts = nsfsMounts(safeRead('/proc/self/mountinfo'));
  const details = new Map<number, { ppid: number; uid: number; command: string }>();
  const describe = (pid: number) => {
    let d = details.get(pid);
    if (!d) {
      d = {
        ppid: ppidFromStat(safeRead(`/proc/${pid}/stat`)) || 0,
        uid: safeUid(pid),
        command: commandFrom(safeRead(`/proc/${pid}/cmdline`), safeRead(`/proc/${pid}/comm`)),
      };
      details.set(pid, d);
    }
    return d;
  };
  return groupNamespaces(samples).map((g) => {
    const d = describe(g.first.pid);
    const path = `/proc/${g.first.pid}/ns/${NAMESPACE_KIND_INFO[g.kind].procName}`;
    const { ownerInode, parentInode } = relatives(path, g.kind);
    return {
      kind: g.kind,
      inode: g.inode,
      path,
      nprocs: g.pids.length,
      pids: g.pids,
      pid: g.first.pid,
      ppid: d.ppid,
      command: d.command,
      uid: d.uid,
      user: users.get(d.uid) ?? String(d.uid),
      ownerInode,
      parentInode,
      mountpoints: mounts.get(`${g.kind}:${g.inode}`) ?? [],
    };
  });
}

/** Owner and parent inodes through the ioctls; null where the kernel refuses (outside our view) or the process is gone. */
function relatives(path: string, kind: NamespaceKind): { ownerInode: number | null; parentInode: number | null } {
  let ns: Namespace;
  try {
    ns = Namespace.fromPath(path, kind);
  } catch (e) {
    if (e instanceof NamespaceError) return { ownerInode: null, parentInode: null };
    throw e;
  }
  try {
    let ownerInode: number | null = null;
    try {
      using owner = ns.owner();
      ownerInode = owner.inode;
    } catch (e) {
      if (!(e instanceof NamespaceError)) throw e;
    }
    let parentInode: number | null = null;
    if (kind === 'pid' || kind === 'user') {
      const parent = ns.parent();
      parentInode = parent?.inode ?? null;
      parent?.close();
    }
    return { ownerInode, parentInode };
  } finally {
    ns.close();
  }
}

function readUsers(): Map<number, string> {
  return parsePasswd(safeRead('/etc/passwd'));
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

function safeUid(pid: number): number {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return 0;
  }
}
