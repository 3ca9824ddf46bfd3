import { readFileSync } from 'node:fs';

/** One subordinate id range of `/etc/subuid` or `/etc/subgid` (subuid(5)). */
export interface SubIdRange {
  /** User name or numeric uid the range belongs to. */
  owner: string;
  /** First subordinate id of the range (the second field), usable as `hostId` in a map written by newuidmap/newgidmap. */
  start: number;
  /** Number of ids in the range (the third field), at least 1. */
  count: number;
}

/** Parses `/etc/subuid`-format text: `owner:start:count` per line. Malformed lines are skipped, as shadow-utils does. */
export function parseSubIds(text: string): SubIdRange[] {
  const out: SubIdRange[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(':');
    if (f.length !== 3 || line.startsWith('#')) continue;
    const start = Number(f[1]);
    const count = Number(f[2]);
    if (Number.isInteger(start) && Number.isInteger(count) && count > 0) out.push({ owner: f[0] as string, start, count });
  }
  return out;
}

/**
 * The subordinate ranges `newuidmap`/`newgidmap` would allow for a user,
 * from `/etc/subuid` (`'uid'`) or `/etc/subgid` (`'gid'`); empty when the file is missing.
 *
 * @param user - user name; `uid`, when given, also matches numeric owners.
 * @example
 * ```ts
 * const [range] = subIdRanges('uid', 'alice', 1000); // { owner: 'alice', start: 100000, count: 65536 }
 * ```
 */
export function subIdRanges(which: 'uid' | 'gid', user: string, uid?: number): SubIdRange[] {
  let text = '';
  try {
    text = readFileSync(which === 'uid' ? '/etc/subuid' : '/etc/subgid', 'utf8');
  } catch {
    return [];
  }
  return parseSubIds(text).filter((r) => r.owner === user || (uid !== undefined && r.owner === String(uid)));
}
