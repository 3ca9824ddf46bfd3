/**
 * `/etc/subuid` and `/etc/subgid` (subuid(5), subgid(5)): the host id ranges
 * delegated to each user, which `newuidmap`/`newgidmap` check before writing
 * a map for an unprivileged caller. Pure: callers pass the file's text.
 */

/** One delegated range: host ids `start` .. `start + count - 1`. */
export interface SubIdRange {
  /** First host id of the range. */
  start: number;
  /** Number of ids. */
  count: number;
}

/**
 * The ranges of the user named `name` with id `id` in a subuid/subgid file
 * (lines `owner:start:count`, the owner being a login name or a numeric id,
 * as shadow's `have_sub_uids` accepts either).
 */
export function subIdRanges(text: string, name: string, id: number): SubIdRange[] {
  const out: SubIdRange[] = [];
  for (const line of text.split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if (owner === undefined || start === undefined || count === undefined) continue;
    if (owner !== name && owner !== String(id)) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isSafeInteger(s) && Number.isSafeInteger(c) && s >= 0 && c > 0) out.push({ start: s, count: c });
  }
  return out;
}

/** True when host ids `start` .. `start + size - 1` lie inside one of `ranges`. */
export function withinRanges(ranges: readonly SubIdRange[], start: number, size: number): boolean {
  return ranges.some((r) => start >= r.start && start + size <= r.start + r.count);
}
