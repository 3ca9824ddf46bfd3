import { readFileSync } from 'node:fs';
import { invalidArgument, KcErrorCode, type IdMapEntry } from '@kc/native';
import { NamespaceError } from '../errors.js';

/** Most lines a uid_map or gid_map accepts (340 since Linux 4.15; user_namespaces(7)). */
export const MAX_ID_MAP_LINES = 340;

/** Ids are 32-bit and 4294967295 ((uid_t)-1) is never a valid id, so every range ends below it. */
const ID_LIMIT = 4294967295;

/** Options of {@link validateIdMap}. */
export interface IdMapRules {
  /**
   * The map is written without privilege (no CAP_SETUID/CAP_SETGID over the
   * parent user namespace, and no `newuidmap` helper): then the kernel accepts
   * exactly one line of size 1 whose host id is the writer's own id.
   */
  unprivilegedId?: number;
}

/**
 * Checks a uid or gid map as the kernel will (user_namespaces(7), "Defining
 * user and group ID mappings"): non-empty, at most 340 lines, integer ids,
 * sizes of at least 1, ranges within 0..4294967294, and no two lines
 * overlapping on either side.
 *
 * @param field - names the map in errors, e.g. `'uidMap'`.
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` naming the first bad entry (`uidMap[1].size`).
 * @example
 * ```ts
 * validateIdMap([{ containerId: 0, hostId: 100000, size: 65536 }], 'uidMap');
 * ```
 */
export function validateIdMap(map: readonly IdMapEntry[], field = 'idMap', rules: IdMapRules = {}): void {
  if (!Array.isArray(map) || map.length === 0) {
    throw invalidArgument(NamespaceError, field, 'an id map needs at least one line', 'map at least the id the process runs as');
  }
  if (map.length > MAX_ID_MAP_LINES) {
    throw invalidArgument(NamespaceError, field, `${map.length} lines, the kernel accepts at most ${MAX_ID_MAP_LINES}`);
  }
  map.forEach((e, i) => {
    for (const key of ['containerId', 'hostId', 'size'] as const) {
      const v = e?.[key];
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > ID_LIMIT) {
        throw invalidArgument(NamespaceError, `${field}[${i}].${key}`, `${String(v)} is not an id (an integer 0..${ID_LIMIT - 1})`);
      }
    }
    if (e.size < 1) throw invalidArgument(NamespaceError, `${field}[${i}].size`, 'size must be at least 1');
    if (e.containerId + e.size > ID_LIMIT) {
      throw invalidArgument(NamespaceError, `${field}[${i}].size`, `container range ${e.containerId}+${e.size} passes ${ID_LIMIT - 1}`);
    }
    if (e.hostId + e.size > ID_LIMIT) {
      throw invalidArgument(NamespaceError, `${field}[${i}].size`, `host range ${e.hostId}+${e.size} passes ${ID_LIMIT - 1}`);
    }
  });
  for (let i = 0; i < map.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = map[j] as IdMapEntry;
      const b = map[i] as IdMapEntry;
      if (overlaps(a.containerId, a.size, b.containerId, b.size)) {
        throw invalidArgument(
          NamespaceError,
          `${field}[${i}].containerId`,
          `container ids ${b.containerId}..${b.containerId + b.size - 1} overlap line ${j} (${a.containerId}..${a.containerId + a.size - 1})`,
        );
      }
      if (overlaps(a.hostId, a.size, b.hostId, b.size)) {
        throw invalidArgument(
          NamespaceError,
          `${field}[${i}].hostId`,
          `host ids ${b.hostId}..${b.hostId + b.size - 1} overlap line ${j} (${a.hostId}..${a.hostId + a.size - 1})`,
        );
      }
    }
  }
  if (rules.unprivilegedId !== undefined) {
    const only = map[0] as IdMapEntry;
    if (map.length !== 1 || only.size !== 1 || only.hostId !== rules.unprivilegedId) {
      throw invalidArgument(
        NamespaceError,
        field,
        `without privilege the kernel accepts only one line mapping your own id ${rules.unprivilegedId} with size 1`,
        'use idMapHelper (newuidmap/newgidmap with /etc/subuid and /etc/subgid ranges) or run as root',
      );
    }
  }
}

function overlaps(a: number, as: number, b: number, bs: number): boolean {
  return a < b + bs && b < a + as;
}

/** Formats a map as the kernel's `uid_map` text: `containerId hostId size` per line. */
export function formatIdMap(map: readonly IdMapEntry[]): string {
  return map.map((e) => `${e.containerId} ${e.hostId} ${e.size}\n`).join('');
}

/**
 * Parses `/proc/PID/uid_map` or `gid_map` text.
 *
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` on a malformed line.
 */
export function parseIdMap(text: string): IdMapEntry[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((line, i) => {
      const f = line.split(/\s+/).map(Number);
      if (f.length !== 3 || f.some((n) => !Number.isInteger(n) || n < 0)) {
        throw invalidArgument(NamespaceError, `line ${i + 1}`, `malformed id map line ${JSON.stringify(line)}`);
      }
      return { containerId: f[0] as number, hostId: f[1] as number, size: f[2] as number };
    });
}

/** Maps an id of the namespace to the parent's through `map`, or null when unmapped. */
export function mapToHost(map: readonly IdMapEntry[], containerId: number): number | null {
  for (const e of map) {
    if (containerId >= e.containerId && containerId < e.containerId + e.size) return e.hostId + (containerId - e.containerId);
  }
  return null;
}

/**
 * Reads the uid or gid map of a process's user namespace (`/proc/PID/uid_map`);
 * `'self'` is the calling process.
 *
 * @throws {@link NamespaceError} `NOT_FOUND` when the process does not exist.
 * @example
 * ```ts
 * readIdMap(child.pid, 'uid'); // [{ containerId: 0, hostId: 100000, size: 65536 }]
 * ```
 */
export function readIdMap(pid: number | 'self', which: 'uid' | 'gid'): IdMapEntry[] {
  const path = `/proc/${pid}/${which}_map`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NamespaceError(`cannot read ${path}`, { code: code === 'ENOENT' ? KcErrorCode.NotFound : (code ?? 'EUNKNOWN'), path, cause: e });
  }
  return parseIdMap(text);
}
