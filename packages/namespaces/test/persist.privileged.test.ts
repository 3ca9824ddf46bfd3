import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawn } from '@kc/native';
import {
  isNsfsMount,
  listNetns,
  Namespace,
  NamespaceError,
  namespaceSpec,
  netnsPath,
  openPersisted,
  persistNamespace,
  persistNetns,
  removePersisted,
} from '@kc/namespaces';
import { collect, holder, run, stop, tag } from './helpers.js';

const ipNetnsNames = () =>
  run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter(Boolean);

describe('persisted namespaces', () => {
  it('a persisted netns outlives its process, is visible to ip netns by path, and is removed cleanly', async () => {
    const name = tag();
    const child = holder({ namespaces: ['net'] });
    let inode: number;
    try {
      using ns = Namespace.fromPid(child.pid, 'net');
      inode = ns.inode;
      expect(persistNetns(name, ns)).toBe(`/run/netns/${name}`);
    } finally {
      await stop(child);
    }
    try {
      expect(ipNetnsNames()).toContain(name);
      expect(listNetns()).toContain(name);
      // iproute2 enters it by path: its loopback, down, and nothing of the host's.
      const links = JSON.parse(run('ip', ['-n', name, '-j', 'link', 'show'])) as { ifname: string }[];
      expect(links.map((l) => l.ifname)).toEqual(['lo']);
      // The namespace is the very one the process had, and a spawn can join it by path.
      using again = openPersisted(name);
      expect(again.inode).toBe(inode);
      const joined = spawn({ argv: ['/bin/busybox', 'readlink', '/proc/self/ns/net'], ...namespaceSpec({ join: [{ kind: 'net', path: netnsPath(name) }] }) });
      const out = collect(joined.stdout);
      expect((await joined.exited).exitCode).toBe(0);
      expect(out().trim()).toBe(`net:[${inode}]`);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).toMatch(/ \/run\/netns ([^ ]+ )*.*shared:/);
    } finally {
      removePersisted(name);
    }
    expect(ipNetnsNames()).not.toContain(name);
    expect(existsSync(`/run/netns/${name}`)).toBe(false);
    expect(isNsfsMount(`/run/netns/${name}`)).toBe(false);
  });

  it('persists other kinds at any path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-ns-'));
    const child = holder({ namespaces: ['uts'], hostname: 'kcpersisted' });
    try {
      using uts = Namespace.fromPid(child.pid, 'uts');
      persistNamespace(uts, join(dir, 'uts'));
      await stop(child);
      const j = spawn({ argv: ['/bin/busybox', 'hostname'], join: [{ kind: 'uts', path: join(dir, 'uts') }] });
      const out = collect(j.stdout);
      await j.exited;
      expect(out().trim()).toBe('kcpersisted');
      expect(run('nsenter', [`--uts=${join(dir, 'uts')}`, 'hostname']).trim()).toBe('kcpersisted');
      removePersisted(join(dir, 'uts'));
      expect(existsSync(join(dir, 'uts'))).toBe(false);
    } finally {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad input and failures leave no mount or file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-ns-'));
    try {
      const mountsBefore = readFileSync('/proc/self/mountinfo', 'utf8');
      // A missing netns path: typed NOT_FOUND, both when opening and when building a join.
      const missing = `${tag()}-missing`;
      expect(() => openPersisted(missing)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
      expect(() => namespaceSpec({ join: [{ kind: 'net', path: `/run/netns/${missing}` }] })).toThrow(NamespaceError);
      expect(() => removePersisted(missing)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
      expect(() => netnsPath('a/b')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      // A plain file is not a persisted namespace: it is left alone.
      writeFileSync(join(dir, 'plain'), '');
      expect(() => removePersisted(join(dir, 'plain'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(existsSync(join(dir, 'plain'))).toBe(true);
      expect(() => Namespace.fromPath(join(dir, 'plain'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      // An existing target is refused before anything is mounted.
      using net = Namespace.current('net');
      expect(() => persistNamespace(net, join(dir, 'plain'))).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
      // The kernel refuses to bind our own mount namespace into itself (a loop): the file made for it is removed again.
      using mnt = Namespace.current('mnt');
      expect(() => persistNamespace(mnt, join(dir, 'mnt'))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(existsSync(join(dir, 'mnt'))).toBe(false);
      expect(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length).toBe(mountsBefore.split('\n').length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
