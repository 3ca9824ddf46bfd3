/** One line of `/proc/PID/cgroup` (cgroups(7)): `hierarchy-ID:controller-list:cgroup-path`. */
export interface ProcCgroupEntry {
  /** Hierarchy id; 0 for v2. */
  id: number;
  /** Controllers of a v1 hierarchy (`name=systemd` included as is); empty for v2. */
  controllers: string[];
  /** The cgroup path relative to the hierarchy (or cgroup namespace) root. */
  path: string;
}

/** Parses `/proc/PID/cgroup`. Paths may contain `:`, so only the first two are split on. */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const list = line.slice(a + 1, b);
    out.push({
      id: Number(line.slice(0, a)),
      controllers: list ? list.split(',') : [],
      path: line.slice(b + 1),
    });
  }
  return out;
}

/**
 * Maps a parsed `/proc/PID/cgroup` to a key → path table: each v1 controller
 * (and `name=X` as `name=X`) to its path, and `''` to the v2 path.
 */
export function cgroupPathsByKey(entries: ProcCgroupEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    if (e.id === 0 && e.controllers.length === 0) out.set('', e.path);
    for (const c of e.controllers) out.set(c, e.path);
  }
  return out;
}
