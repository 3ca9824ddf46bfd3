import { describe, expect, it } from 'vitest';
import { spawn } from '@kc/native';
import { MountPlan, Namespace, namespaceSpec, namespacesOf, readIdMap, sameNamespace } from '@kc/namespaces';
import { collect, holder, stop, tag } from './helpers.js';

describe('joining and creating namespaces', () => {
  it("joining another process's pid+net+uts namespaces shows its hostname and pid view", async () => {
    const host = `kc-${tag()}`;
    // The target: pid 1 of its own pid namespace, with its own hostname and network.
    const target = holder({ namespaces: ['pid', 'net', 'uts'], hostname: host });
    try {
      const joiner = spawn({
        // $$ of the shell is its pid as seen inside the joined pid namespace; the target is pid 1 there.
        argv: ['/bin/busybox', 'sh', '-c', 'hostname; echo pid=$$; cat /proc/net/dev | wc -l; read x'],
        ...namespaceSpec({ joinProcess: { pidfd: target.pidfd, kinds: ['pid', 'net', 'uts'] } }),
      });
      const out = collect(joiner.stdout);
      const ids = namespacesOf(joiner.pid);
      const targetIds = namespacesOf(target.pid);
      expect(ids.net).toBe(targetIds.net);
      expect(ids.uts).toBe(targetIds.uts);
      expect(ids.pid).toBe(targetIds.pid);
      expect(sameNamespace(joiner.pid, process.pid, 'net')).toBe(false);
      joiner.stdin?.end('\n');
      expect((await joiner.exited).exitCode).toBe(0);
      const [hostname, pidLine, devLines] = out().trim().split('\n');
      expect(hostname).toBe(host);
      const pidInside = Number(pidLine?.replace('pid=', ''));
      expect(pidInside).toBeGreaterThan(1);
      expect(pidInside).toBeLessThan(10);
      expect(pidInside).not.toBe(joiner.pid);
      // Only lo in the joined network namespace: 2 header lines + 1.
      expect(Number(devLines)).toBe(3);
    } finally {
      await stop(target);
    }
  });

  it('joins by Namespace handle and by path as well', async () => {
    const target = holder({ namespaces: ['uts', 'ipc'], hostname: 'kc-joined' });
    try {
      using uts = Namespace.fromPidfd(target.pidfd, 'uts');
      const viaHandle = spawn({
        argv: ['/bin/busybox', 'sh', '-c', 'hostname; read x'],
        ...namespaceSpec({ join: [uts, { kind: 'ipc', path: `/proc/${target.pid}/ns/ipc` }] }),
      });
      const out = collect(viaHandle.stdout);
      expect(sameNamespace(viaHandle.pid, target.pid, 'ipc')).toBe(true);
      expect(sameNamespace(viaHandle.pid, target.pid, 'uts')).toBe(true);
      viaHandle.stdin?.end('\n');
      await viaHandle.exited;
      expect(out().trim()).toBe('kc-joined');
    } finally {
      await stop(target);
    }
  });

  it('creates a user namespace with an id map, and a time namespace with offsets', async () => {
    const p = spawn({
      argv: ['/bin/busybox', 'sh', '-c', 'id -u; cat /proc/uptime; read x'],
      // Switch to uid 0 of the new namespace (host uid 100000); without it the child keeps host root, which shows as 65534 inside.
      user: { uid: 0, gid: 0 },
      ...namespaceSpec({
        create: ['user', 'time'],
        uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
        gidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
        timeOffsets: { boottime: 1_000_000 },
      }),
    });
    const out = collect(p.stdout);
    try {
      expect(readIdMap(p.pid, 'uid')).toEqual([{ containerId: 0, hostId: 100000, size: 65536 }]);
      using userns = Namespace.fromPid(p.pid, 'user');
      expect(userns.ownerUid()).toBe(0);
      using parent = userns.parent();
      expect(parent?.inode).toBe(Namespace.current('user').inode);
      p.stdin?.end('\n');
      expect((await p.exited).exitCode).toBe(0);
      const [uid, uptime] = out().trim().split('\n');
      expect(uid).toBe('0');
      const hostUptime = Number((await import('node:fs')).readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
      expect(Number(uptime?.split(' ')[0])).toBeGreaterThan(hostUptime + 999_000);
    } finally {
      await stop(p);
    }
  });

  it('mounts from a MountPlan show up in the child only', async () => {
    const p = spawn({
      argv: ['/bin/busybox', 'sh', '-c', 'grep " /mnt " /proc/self/mountinfo'],
      namespaces: ['mnt'],
      mounts: new MountPlan().propagation('/', 'rprivate').tmpfs('/mnt', { data: 'size=1m', create: false }).steps(),
    });
    const out = collect(p.stdout);
    expect((await p.exited).exitCode).toBe(0);
    expect(out()).toMatch(/ \/mnt .* - tmpfs /);
  });
});
