import { describe, expect, it } from 'vitest';
import { commandFrom, groupNamespaces, nsfsMounts, parsePasswd, ppidFromStat } from './lsns-aggregate.js';

describe('lsns aggregation', () => {
  it('groups by inode with the lowest pid first', () => {
    const groups = groupNamespaces([
      { pid: 30, ppid: 1, uid: 0, command: 'c', namespaces: { net: 5, uts: 9 } },
      { pid: 2, ppid: 0, uid: 0, command: 'k', namespaces: { net: 5, uts: 8 } },
    ]);
    expect(groups.map((g) => [g.kind, g.inode, g.pids, g.first.pid])).toEqual([
      ['net', 5, [2, 30], 2],
      ['uts', 8, [2], 2],
      ['uts', 9, [30], 30],
    ]);
  });

  it('reads commands, passwd, stat and nsfs mounts like lsns', () => {
    expect(commandFrom('sleep\u0000100\u0000', 'sleep\n')).toBe('sleep 100');
    expect(commandFrom('', 'kthreadd\n')).toBe('kthreadd');
    expect(parsePasswd('root:x:0:0::/root:/bin/sh\nbin:x:1:1::/:/x\n').get(1)).toBe('bin');
    expect(ppidFromStat('42 (a) b) c) S 7 42 42 0')).toBe(7);
    const info = '612 28 0:4 net:[4026532281] /run/netns/my\\040ns rw shared:300 - nsfs nsfs rw\n30 1 0:5 / /proc rw - proc proc rw\n';
    expect([...nsfsMounts(info)]).toEqual([['net:4026532281', ['/run/netns/my ns']]]);
  });
});
