import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listNamespaces, namespaceTree, Namespace } from '@kc/namespaces';
import { holder, run, stop } from './helpers.js';

interface LsnsRow {
  ns: number;
  type: string;
  nprocs: number;
  pid: number;
  ppid: number;
  command: string;
  uid: number;
  user: string;
  pns: number;
  ons: number;
}

const lsns = (): Map<string, LsnsRow> =>
  new Map((JSON.parse(run('lsns', ['-J', '--output-all'])) as { namespaces: LsnsRow[] }).namespaces.map((r) => [`${r.type}:${r.ns}`, r]));
const pids = () => new Set(readdirSync('/proc').filter((d) => /^\d+$/.test(d)));

describe('listNamespaces() against lsns -J', () => {
  it('reports every namespace lsns reports, with its columns', async () => {
    // A namespace of our own making, so the comparison covers more than the host's.
    const child = holder({ namespaces: ['net', 'uts', 'ipc', 'pid'] });
    try {
      const before = pids();
      const first = lsns();
      const ours = listNamespaces();
      const second = lsns();
      const after = pids();
      // Processes that came or went between the reads (other users of the machine, lsns itself) bound the count differences.
      const churn = [...before].filter((p) => !after.has(p)).length + [...after].filter((p) => !before.has(p)).length + 2;
      const byKey = new Map(ours.map((n) => [`${n.kind}:${n.inode}`, n]));
      let compared = 0;
      for (const [key, row] of first) {
        const again = second.get(key);
        if (!again) continue; // vanished between the reads
        const mine = byKey.get(key);
        expect(mine, `${key} from lsns is missing`).toBeDefined();
        if (!mine) continue;
        compared++;
        expect(mine.kind).toBe(row.type);
        const lo = Math.min(row.nprocs, again.nprocs) - churn;
        const hi = Math.max(row.nprocs, again.nprocs) + churn;
        expect(mine.nprocs).toBeGreaterThanOrEqual(lo);
        expect(mine.nprocs).toBeLessThanOrEqual(hi);
        if (row.pid === again.pid && mine.pid === row.pid) {
          expect(mine.command).toBe(row.command);
          expect(mine.ppid).toBe(row.ppid);
          expect(mine.uid).toBe(row.uid);
          expect(mine.user).toBe(row.user);
          expect(mine.path).toBe(`/proc/${row.pid}/ns/${row.type}`);
        }
        expect(mine.ownerInode ?? 0).toBe(row.ons);
        expect(mine.parentInode ?? 0).toBe(row.pns);
        if (row.nprocs === again.nprocs && row.nprocs < 5) expect(mine.nprocs).toBe(row.nprocs); // our holder's namespaces are stable
      }
      expect(compared).toBeGreaterThanOrEqual(12);
      // And nothing invented: each of ours is in lsns, or all its processes were transient.
      for (const n of ours) {
        const key = `${n.kind}:${n.inode}`;
        if (first.has(key) || second.has(key)) continue;
        expect(
          n.pids.every((p) => !after.has(String(p)) || !before.has(String(p))),
          `${key} (pids ${n.pids}) not in lsns`,
        ).toBe(true);
      }
      const mineNet = byKey.get(`net:${Namespace.fromPid(child.pid, 'net').inode}`);
      expect(mineNet?.pids).toEqual([child.pid]);
    } finally {
      await stop(child);
    }
  });

  it('arranges the parent tree: a child pid namespace sits under ours', async () => {
    const child = holder({ namespaces: ['pid'] });
    try {
      using mine = Namespace.current('pid');
      using theirs = Namespace.fromPid(child.pid, 'pid');
      const parent = theirs.parent();
      expect(parent?.inode).toBe(mine.inode);
      parent?.close();
      const roots = namespaceTree('parent', listNamespaces({ kinds: ['pid'] }));
      const find = (nodes: ReturnType<typeof namespaceTree>, inode: number): ReturnType<typeof namespaceTree>[number] | undefined =>
        nodes.flatMap((n) => [n, ...n.children]).find((n) => n.info.inode === inode) ?? nodes.map((n) => find(n.children, inode)).find(Boolean);
      const node = find(roots, mine.inode);
      expect(node?.children.map((c) => c.info.inode)).toContain(theirs.inode);
      // lsns --tree agrees on the owner of our new namespace: the initial user namespace.
      using owner = theirs.owner();
      expect(owner.inode).toBe(Namespace.current('user').inode);
    } finally {
      await stop(child);
    }
  });
});
