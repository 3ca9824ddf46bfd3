import { hostname as hostHostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MS, spawn } from '@kc/native';
import { nsLink, run, statusField } from './helpers.js';

const sh = (script: string) => ['/bin/sh', '-c', script];

describe('spawn: namespaces seen from outside the child', () => {
  it('is PID 1 in a new pid namespace, and the host sees it under its own pid', async () => {
    const p = spawn({ argv: sh('echo $$; read x'), namespaces: ['pid'] });
    const nspid = statusField(p.pid, 'NSpid').split(/\s+/).map(Number);
    expect(nspid).toEqual([p.pid, 1]);
    expect(nsLink(p.pid, 'pid')).not.toBe(nsLink('self', 'pid'));
    p.stdin!.end('go\n');
    const r = await run(p);
    expect(r.stdout.trim()).toBe('1');
    expect(r.exitCode).toBe(0);
  });

  it('sees only lo in a new net namespace (and lo is down)', async () => {
    const r = await run(
      spawn({ argv: sh('tail -n +3 /proc/net/dev | cut -d: -f1; cat /sys/class/net/lo/operstate 2>/dev/null || true'), namespaces: ['net'] }),
    );
    const ifaces = r.stdout.trim().split('\n')[0]!.trim();
    expect(ifaces).toBe('lo');
    const host = readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).filter(Boolean).length;
    expect(host).toBeGreaterThan(1);
  });

  it('sets the hostname in a new uts namespace without touching the host', async () => {
    const before = hostHostname();
    const p = spawn({ argv: sh('hostname; read x'), namespaces: ['uts'], hostname: 'kc-test-box', domainname: 'kc.test' });
    expect(nsLink(p.pid, 'uts')).not.toBe(nsLink('self', 'uts'));
    p.stdin!.end('\n');
    const r = await run(p);
    expect(r.stdout.trim()).toBe('kc-test-box');
    expect(hostHostname()).toBe(before);
  });

  it('applies uid and gid maps of a new user namespace (read from /proc/PID/*_map)', async () => {
    const p = spawn({
      argv: sh('id -u; id -g; read x'),
      namespaces: ['user'],
      uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
      gidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
      user: { uid: 1000, gid: 1000, groups: [] },
      setgroups: 'deny',
    });
    expect(readFileSync(`/proc/${p.pid}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    expect(readFileSync(`/proc/${p.pid}/gid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    expect(readFileSync(`/proc/${p.pid}/setgroups`, 'utf8').trim()).toBe('deny');
    // The host sees the mapped ids: 1000 inside is 101000 outside.
    await expect.poll(() => statusField(p.pid, 'Uid').split(/\s+/)[0]).toBe('101000');
    p.stdin!.end('\n');
    const r = await run(p);
    expect(r.stdout.trim().split('\n')).toEqual(['1000', '1000']);
  });

  it('creates every namespace kind at once', async () => {
    const kinds = ['mnt', 'pid', 'net', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const;
    const p = spawn({
      argv: sh('read x'),
      namespaces: [...kinds],
      uidMap: [{ containerId: 0, hostId: 0, size: 65536 }],
      gidMap: [{ containerId: 0, hostId: 0, size: 65536 }],
    });
    for (const k of kinds) expect(nsLink(p.pid, k), k).not.toBe(nsLink('self', k));
    p.stdin!.end('\n');
    expect((await run(p)).exitCode).toBe(0);
  });

  it('shifts clocks in a new time namespace', async () => {
    const hostUptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const r = await run(spawn({ argv: ['cat', '/proc/uptime'], namespaces: ['time'], timeOffsets: { boottime: 86400, monotonic: 3600 } }));
    const childUptime = Number(r.stdout.split(' ')[0]);
    expect(childUptime - hostUptime).toBeGreaterThan(86400 - 5);
    expect(childUptime - hostUptime).toBeLessThan(86400 + 30);
  });

  it("joins another process's uts, net and pid namespaces through its pidfd", async () => {
    const first = spawn({
      argv: sh('read x'),
      namespaces: ['pid', 'uts', 'net', 'mnt'],
      hostname: 'kc-join-target',
      mounts: [{ kind: 'mount', source: 'proc', target: '/proc', fstype: 'proc', flags: 0 }],
    });
    const second = spawn({
      argv: sh('hostname; echo $$; ls /proc | grep -E "^[0-9]+$" | sort -n | head -1; read x'),
      joinPidfd: { pidfd: first.pidfd, kinds: ['pid', 'uts', 'net', 'mnt'] },
    });
    expect(nsLink(second.pid, 'net')).toBe(nsLink(first.pid, 'net'));
    expect(nsLink(second.pid, 'pid')).toBe(nsLink(first.pid, 'pid'));
    second.stdin!.end('\n');
    const r = await run(second);
    const [name, ownPid, lowest] = r.stdout.trim().split('\n');
    expect(name).toBe('kc-join-target');
    expect(Number(ownPid)).toBeGreaterThan(1); // not init: it joined an existing pid namespace
    expect(lowest).toBe('1'); // it sees the first process as pid 1
    first.stdin!.end('\n');
    await first.exited;
  });
});

describe('spawn: mounts', () => {
  it('pivots into a rootfs with no /dev and still masks files with the host /dev/null', async () => {
    const { busyboxRootfs } = await import('../../bench/lib/peers.js');
    const { rmSync } = await import('node:fs');
    const rootfs = busyboxRootfs();
    try {
      const r = await run(
        spawn({
          argv: ['/bin/sh', '-c', 'cat /proc/keys | wc -c; ls /; grep -c " / " /proc/self/mountinfo'],
          env: { PATH: '/bin' },
          namespaces: ['mnt', 'pid'],
          mounts: [
            { kind: 'rootfs', path: rootfs },
            { kind: 'mount', source: 'proc', target: '/proc', fstype: 'proc' },
            { kind: 'pivot' },
            { kind: 'mask', path: '/proc/keys' },
            { kind: 'mask', path: '/proc/acpi' },
          ],
        }),
      );
      const lines = r.stdout.trim().split('\n');
      expect(r.stderr).toBe('');
      expect(lines[0]).toBe('0'); // masked by /dev/null
      expect(lines).toContain('bin'); // the busybox rootfs, not the host's /
      expect(lines).not.toContain('usr');
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  });
});

describe('spawn: mount options, sysctls, sessions', () => {
  it('applies bind-mount flags with a remount, writes sysctls before /proc/sys turns read-only', async () => {
    const { busyboxRootfs } = await import('../../bench/lib/peers.js');
    const { rmSync } = await import('node:fs');
    const rootfs = busyboxRootfs();
    try {
      const r = await run(
        spawn({
          argv: [
            '/bin/sh',
            '-c',
            'grep " /data " /proc/self/mountinfo | cut -d" " -f6; cat /proc/sys/net/ipv4/ip_forward; echo 0 > /proc/sys/net/ipv4/ip_forward 2>/dev/null && echo writable || echo readonly',
          ],
          env: { PATH: '/bin' },
          namespaces: ['mnt', 'pid', 'net'],
          mounts: [
            { kind: 'rootfs', path: rootfs },
            { kind: 'mount', source: 'proc', target: '/proc', fstype: 'proc' },
            { kind: 'mount', source: '/usr', target: '/data', flags: MS.BIND | MS.NOSUID | MS.NOEXEC | MS.NODEV, create: 'dir' },
            { kind: 'pivot' },
            { kind: 'readonly', path: '/proc/sys' },
          ],
          sysctl: { 'net.ipv4.ip_forward': '1' },
        }),
      );
      const [opts, forward, writable] = r.stdout.trim().split('\n');
      expect(opts!.split(',')).toEqual(expect.arrayContaining(['nosuid', 'nodev', 'noexec']));
      expect(forward).toBe('1');
      expect(writable).toBe('readonly');
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  });

  it('makes the program a session leader after a pid-namespace fork, with its umask', async () => {
    const holder = spawn({ argv: ['sleep', '30'], namespaces: ['pid', 'mnt'], stdio: ['ignore', 'ignore', 'ignore'] });
    try {
      const r = await run(
        spawn({
          // The shell reads its own /proc/self/stat (the host's /proc): "pid (comm) state ppid pgrp session ...".
          argv: ['/bin/sh', '-c', 'echo $$; read -r line < /proc/self/stat; echo $line | cut -d" " -f1,6; umask'],
          joinPidfd: { pidfd: holder.pidfd, kinds: ['pid'] },
          setsid: true,
          umask: 0o027,
        }),
      );
      const [pid, hostPidAndSession, mask] = r.stdout.trim().split('\n');
      const [hostPid, session] = hostPidAndSession!.split(' ');
      expect(Number(pid)).toBeGreaterThan(1); // a pid in the joined namespace, not its init
      expect(session).toBe(hostPid); // a session leader: the setsid ran after the fork
      expect(Number(hostPid)).not.toBe(Number(pid));
      expect(mask).toBe('0027');
    } finally {
      await holder[Symbol.asyncDispose]();
    }
  });
});

describe('spawn: process attributes', () => {
  it('passes env, cwd, rlimits, user, groups and no_new_privs', async () => {
    const r = await run(
      spawn({
        argv: sh('echo "$KC_VAR"; pwd; ulimit -n; id -u; id -g; id -G; grep NoNewPrivs /proc/self/status'),
        env: { KC_VAR: 'hello', PATH: '/usr/bin:/bin' },
        cwd: '/tmp',
        rlimits: [{ resource: 'nofile', soft: 123, hard: 456 }],
        user: { uid: 65534, gid: 65534, groups: [100, 200] },
        noNewPrivileges: true,
      }),
    );
    expect(r.stdout.trim().split('\n')).toEqual(['hello', '/tmp', '123', '65534', '65534', '65534 100 200', 'NoNewPrivs:\t1']);
  });

  it('connects stdin and stdout as pipes, and fds as given', async () => {
    const p = spawn({ argv: ['cat'] });
    p.stdin!.end('round trip\n');
    expect((await run(p)).stdout).toBe('round trip\n');
  });

  it('leaks no fd of the host into the child', async () => {
    const r = await run(spawn({ argv: sh('ls /proc/self/fd') }));
    const fds = r.stdout.trim().split('\n').map(Number);
    // 0-2, plus the directory fd ls itself opened.
    expect(fds.filter((fd) => fd > 3)).toEqual([]);
  });

  it('kills through the pidfd and reports the signal', async () => {
    const p = spawn({ argv: ['sleep', '30'], stdio: ['ignore', 'ignore', 'ignore'] });
    expect(p.kill('SIGTERM')).toBe(true);
    expect(await p.exited).toMatchObject({ exitCode: null, signal: 'SIGTERM', core: false, timedOut: false });
    expect(p.kill()).toBe(false);
  });

  it('disposes with await using: kills and reaps', async () => {
    let pid = 0;
    {
      await using p = spawn({ argv: ['sleep', '30'], stdio: ['ignore', 'ignore', 'ignore'] });
      pid = p.pid;
    }
    expect(() => readFileSync(`/proc/${pid}/stat`)).toThrow();
  });
});
