import type { NamespaceKind } from '@kc/native';

/** One process's view as read from /proc: its namespaces and the fields lsns prints. */
export interface ProcessNamespaceSample {
  pid: number;
  ppid: number;
  uid: number;
  command: string;
  namespaces: Partial<Record<NamespaceKind, number>>;
}

/** A namespace grouped from samples: its processes and the lowest pid (lsns's PID column). */
export interface NamespaceGroup {
  kind: NamespaceKind;
  inode: number;
  pids: number[];
  first: ProcessNamespaceSample;
}

/**
 * Groups processes by (kind, inode) as lsns(8) does: one row per namespace,
 * NPROCS processes, PID the lowest pid in it. Sorted by inode, then kind.
 */
export function groupNamespaces(samples: readonly ProcessNamespaceSample[]): NamespaceGroup[] {
  const groups = new Map<string, NamespaceGroup>();
  for (const s of samples) {
    for (const [kind, inode] of Object.entries(s.namespaces) as [NamespaceKind, number][]) {
      const key = `${kind}:${inode}`;
      const g = groups.get(key);
      if (!g) groups.set(key, { kind, inode, pids: [s.pid], first: s });
      else {
        g.pids.push(s.pid);
        if (s.pid < g.first.pid) g.first = s;
      }
    }
  }
  return [...groups.values()].map((g) => ({ ...g, pids: g.pids.sort((a, b) => a - b) })).sort((a, b) => a.inode - b.inode || a.kind.localeCompare(b.kind));
}

/** The `command` lsns shows: argv joined by spaces, else the kernel thread's comm. */
export function commandFrom(cmdline: string, comm: string): string {
  const args = cmdline.split('\0');
  while (args.length > 0 && args[args.length - 1] === '') args.pop();
  return args.length > 0 ? args.join(' ') : comm.replace(/\n$/, '');
}

/** Parses /etc/passwd text into uid → name (first entry wins, as getpwuid does). */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) continue;
    const uid = Number(f[2]);
    if (Number.isInteger(uid) && !users.has(uid)) users.set(uid, f[0] as string);
  }
  return users;
}

/** Parses `/proc/PID/stat` for the parent pid (field 4, after the parenthesised comm). */
export function ppidFromStat(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[1]);
}

/** Mount points of nsfs files in mountinfo text, keyed by `kind:inode` (the mount root, e.g. `net:[4026532281]`). */
export function nsfsMounts(mountinfo: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fstype = line.slice(sep + 3).split(' ')[0];
    if (fstype !== 'nsfs') continue;
    const f = line.slice(0, sep).split(' ');
    const m = /^([a-z]+):\[(\d+)\]$/.exec(f[3] ?? '');
    if (!m) continue;
    const key = `${m[1]}:${m[2]}`;
    const mp = unescapeMountPath(f[4] ?? '');
    out.set(key, [...(out.get(key) ?? []), mp]);
  }
  return out;
}

/** mountinfo escapes space, tab, newline and backslash as octal (proc(5)). */
export function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}
