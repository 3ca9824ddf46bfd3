import type { IdMapEntry, NamespaceJoin, NamespaceKind, PidfdJoin, ProcessSpec, TimeOffsets } from '@kc/native';
import { existsSync } from 'node:fs';
import { invalidArgument, KcErrorCode } from '@kc/native';
import { NamespaceError } from './errors.js';
import { validateIdMap } from './idmap/validate.js';
import { parseNamespaceKind } from './kinds.js';
import { Namespace } from './namespace.js';

/** The namespace fields of a {@link ProcessSpec}, as {@link namespaceSpec} produces them. */
export type NamespaceSpecFields = Pick<
  ProcessSpec,
  'namespaces' | 'join' | 'joinPidfd' | 'uidMap' | 'gidMap' | 'setgroups' | 'idMapHelper' | 'timeOffsets' | 'hostname' | 'domainname'
>;

/** A namespace to join: an open handle, a namespace file path, or `{ kind, fd }`. */
export type JoinTarget =
  | Namespace
  | {
      /** Kind of the namespace the file holds; setns(2) fails with EINVAL when it does not match. */
      kind: NamespaceKind;
      /** A namespace file, `/proc/PID/ns/<kind>` or a bind-mounted one such as `/run/netns/blue`; must exist now. */
      path: string;
    }
  | {
      /** Kind of the namespace the fd refers to. */
      kind: NamespaceKind;
      /** An open namespace fd, kept open by the caller until spawn returns. */
      fd: number;
    };

/** What {@link namespaceSpec} takes: friendly names for the spawn pipeline's namespace fields. */
export interface NamespaceOptions {
  /** Kinds to create fresh (clone3 flags). */
  create?: readonly NamespaceKind[];
  /** Namespaces to enter (setns in the child, user namespace first). */
  join?: readonly JoinTarget[];
  /** Join several namespaces of one running process at once through its pidfd (Linux 5.8+). */
  joinProcess?: {
    /** An open pidfd of the process whose namespaces are joined (pidfd_open(2)). */
    pidfd: number;
    /** Which of its namespaces to join; at least one, none also in `create` or `join`. */
    kinds: readonly NamespaceKind[];
  };
  /** uid map of the new user namespace (needs `'user'` in `create`). */
  uidMap?: readonly IdMapEntry[];
  /** gid map of the new user namespace. */
  gidMap?: readonly IdMapEntry[];
  /** `/proc/PID/setgroups` of the new user namespace; an unprivileged gid map needs `'deny'`. */
  setgroups?: 'allow' | 'deny';
  /** Write maps with the setuid helpers `newuidmap`/`newgidmap` (for callers without CAP_SETUID). */
  idMapHelper?: boolean;
  /**
   * The caller's uid and gid when it writes maps itself without privilege: then
   * each map must be the single line `{ containerId, hostId: own id, size: 1 }`
   * and setgroups must be `'deny'` (user_namespaces(7)).
   */
  unprivileged?: {
    /** The caller's own uid (`process.getuid()`): the only `hostId` allowed in `uidMap`. */
    uid: number;
    /** The caller's own gid (`process.getgid()`): the only `hostId` allowed in `gidMap`. */
    gid: number;
  };
  /** Clock offsets of the new time namespace (needs `'time'` in `create`). */
  timeOffsets?: TimeOffsets;
  /** Hostname in the child's UTS namespace (at most 64 bytes). */
  hostname?: string;
  /** NIS domain name in the child's UTS namespace (at most 64 bytes). */
  domainname?: string;
}

/** HOST_NAME_MAX and the size of utsname fields minus the NUL (gethostname(2)). */
const UTS_NAME_MAX = 64;
/** Offsets beyond KTIME_SEC_MAX / 2 are refused by the kernel (time_namespaces(7)). */
const MAX_TIME_OFFSET_SECONDS = 2 ** 62 / 1e9;

/**
 * Validates friendly namespace options and returns the `ProcessSpec` fields
 * the spawn pipeline takes. Everything is checked here, before the kernel is
 * touched: unknown kinds, a kind both created and joined, id maps (overlaps,
 * sizes, the unprivileged single-line rule), maps or offsets without the
 * namespace they belong to, and over-long host names.
 *
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` with `field` set.
 * @example
 * ```ts
 * const child = spawn({
 *   argv: ['/bin/sh', '-c', 'id; hostname'],
 *   ...namespaceSpec({ create: ['user', 'uts'], uidMap: [{ containerId: 0, hostId: 1000, size: 1 }], hostname: 'box' }),
 * });
 * ```
 */
export function namespaceSpec(options: NamespaceOptions): NamespaceSpecFields {
  const out: NamespaceSpecFields = {};
  const create = (options.create ?? []).map((k, i) => parseNamespaceKind(k, `create[${i}]`));
  const seen = new Set<NamespaceKind>();
  create.forEach((k, i) => {
    if (seen.has(k)) throw invalidArgument(NamespaceError, `create[${i}]`, `${k} is listed twice`);
    seen.add(k);
  });
  if (create.length > 0) out.namespaces = create;

  const joined = new Map<NamespaceKind, string>();
  const claim = (kind: NamespaceKind, field: string) => {
    if (seen.has(kind)) throw invalidArgument(NamespaceError, field, `${kind} cannot be both created and joined`);
    const other = joined.get(kind);
    if (other) throw invalidArgument(NamespaceError, field, `${kind} is already joined by ${other}`);
    joined.set(kind, field);
  };
  if (options.join && options.join.length > 0) {
    out.join = options.join.map((t, i) => toJoin(t, `join[${i}]`, claim));
  }
  if (options.joinProcess) {
    const { pidfd, kinds } = options.joinProcess;
    if (!Number.isInteger(pidfd) || pidfd < 0) throw invalidArgument(NamespaceError, 'joinProcess.pidfd', `${pidfd} is not an fd`);
    if (kinds.length === 0) throw invalidArgument(NamespaceError, 'joinProcess.kinds', 'name at least one kind to join');
    const pidfdJoin: PidfdJoin = { pidfd, kinds: kinds.map((k, i) => parseNamespaceKind(k, `joinProcess.kinds[${i}]`)) };
    pidfdJoin.kinds.forEach((k, i) => claim(k, `joinProcess.kinds[${i}]`));
    out.joinPidfd = pidfdJoin;
  }

  const newUser = seen.has('user');
  const unpriv = options.unprivileged;
  for (const [key, idKey] of [
    ['uidMap', 'uid'],
    ['gidMap', 'gid'],
  ] as const) {
    const map = options[key];
    if (map === undefined) continue;
    if (!newUser) throw invalidArgument(NamespaceError, key, 'an id map needs a new user namespace', "add 'user' to create");
    validateIdMap(map, key, unpriv && !options.idMapHelper ? { unprivilegedId: unpriv[idKey] } : {});
    out[key] = map.map((e) => ({ containerId: e.containerId, hostId: e.hostId, size: e.size }));
  }
  if (options.setgroups !== undefined) {
    if (options.setgroups !== 'allow' && options.setgroups !== 'deny') {
      throw invalidArgument(NamespaceError, 'setgroups', `${JSON.stringify(options.setgroups)} is neither 'allow' nor 'deny'`);
    }
    if (!newUser) throw invalidArgument(NamespaceError, 'setgroups', 'setgroups belongs to a new user namespace', "add 'user' to create");
    out.setgroups = options.setgroups;
  }
  if (unpriv && !options.idMapHelper && out.gidMap) {
    // Since Linux 3.19 an unprivileged gid_map write needs setgroups denied first (user_namespaces(7)).
    if (out.setgroups === 'allow') {
      throw invalidArgument(NamespaceError, 'setgroups', "an unprivileged gid map needs setgroups 'deny'", 'or use idMapHelper');
    }
    out.setgroups = 'deny';
  }
  if (options.idMapHelper) {
    if (!newUser) throw invalidArgument(NamespaceError, 'idMapHelper', 'the helpers write maps of a new user namespace');
    out.idMapHelper = true;
  }

  if (options.timeOffsets !== undefined) {
    if (!seen.has('time')) throw invalidArgument(NamespaceError, 'timeOffsets', 'offsets need a new time namespace', "add 'time' to create");
    const offsets: TimeOffsets = {};
    for (const clock of ['monotonic', 'boottime'] as const) {
      const v = options.timeOffsets[clock];
      if (v === undefined) continue;
      if (!Number.isFinite(v) || Math.abs(v) > MAX_TIME_OFFSET_SECONDS) {
        throw invalidArgument(NamespaceError, `timeOffsets.${clock}`, `${v} is not a finite offset in seconds`);
      }
      offsets[clock] = v;
    }
    out.timeOffsets = offsets;
  }

  for (const key of ['hostname', 'domainname'] as const) {
    const v = options[key];
    if (v === undefined) continue;
    const bytes = Buffer.byteLength(v);
    if (typeof v !== 'string' || bytes === 0 || bytes > UTS_NAME_MAX || v.includes('\0')) {
      throw invalidArgument(NamespaceError, key, `must be 1..${UTS_NAME_MAX} bytes without NUL`);
    }
    if (!seen.has('uts') && !joined.has('uts')) {
      throw invalidArgument(NamespaceError, key, `setting ${key} needs a new or joined uts namespace`, "add 'uts' to create, or it changes the host's");
    }
    out[key] = v;
  }
  return out;
}

function toJoin(t: JoinTarget, field: string, claim: (k: NamespaceKind, f: string) => void): NamespaceJoin {
  if (t instanceof Namespace) {
    claim(t.kind, field);
    return { kind: t.kind, fd: t.fd };
  }
  const kind = parseNamespaceKind((t as { kind: unknown }).kind, `${field}.kind`);
  claim(kind, field);
  if ('fd' in t) {
    if (!Number.isInteger(t.fd) || t.fd < 0) throw invalidArgument(NamespaceError, `${field}.fd`, `${t.fd} is not an fd`);
    return { kind, fd: t.fd };
  }
  if (typeof t.path !== 'string' || t.path === '') throw invalidArgument(NamespaceError, `${field}.path`, 'give a namespace file path');
  // Reading is not changing: a missing file is reported here rather than from the child.
  if (!existsSync(t.path)) {
    throw new NamespaceError(`${field}.path: namespace file ${t.path} does not exist`, {
      code: KcErrorCode.NotFound,
      field: `${field}.path`,
      path: t.path,
      hint: 'persist it first (persistNamespace) or check the name',
    });
  }
  return { kind, path: t.path };
}
