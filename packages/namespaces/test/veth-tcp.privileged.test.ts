import { describe, expect, it } from 'vitest';
import { spawn } from '@kc/native';
import { connectWithVeth, findLink, listAddresses, Namespace, NamespaceError } from '@kc/namespaces';
import { collect, hostLinkNames, run, stop, tag, waitFor } from './helpers.js';

const SERVER = `
import socket, sys
sys.stdin.readline()
s = socket.socket(); s.bind((sys.argv[1], 5555)); s.listen(1)
print("listening", flush=True)
c, peer = s.accept()
data = c.recv(100)
c.sendall(b"pong:" + data)
print("server got", data.decode(), "from", peer[0], "on", c.getsockname()[0], flush=True)
`;
const CLIENT = `
import socket, sys
sys.stdin.readline()
c = socket.create_connection((sys.argv[1], 5555), timeout=5)
c.sendall(b"ping")
print("client got", c.recv(100).decode(), "as", c.getsockname()[0], flush=True)
`;

describe('veth-connected network namespaces', () => {
  it('two kc-spawned processes in separate net namespaces talk TCP on their own addresses', async () => {
    const t = tag();
    const server = spawn({ argv: ['/usr/bin/python3', '-c', SERVER, '10.213.7.1'], namespaces: ['net'] });
    const client = spawn({ argv: ['/usr/bin/python3', '-c', CLIENT, '10.213.7.1'], namespaces: ['net'] });
    const serverOut = collect(server.stdout);
    const clientOut = collect(client.stdout);
    const serverErr = collect(server.stderr);
    using nsA = Namespace.fromPidfd(server.pidfd, 'net');
    using nsB = Namespace.fromPidfd(client.pidfd, 'net');
    try {
      using link = connectWithVeth(
        { name: `${t}a`, netns: nsA, address: '10.213.7.1/24', loopback: true },
        { name: `${t}b`, netns: nsB, address: '10.213.7.2/24', loopback: true, gateway: '10.213.7.1' },
      );
      // ip is the oracle: it sees the addresses inside the namespaces through their processes.
      const ipB = JSON.parse(run('nsenter', ['--net=/proc/' + client.pid + '/ns/net', 'ip', '-j', 'addr', 'show', `${t}b`])) as {
        addr_info: { local: string }[];
      }[];
      expect(ipB[0]?.addr_info.map((a) => a.local)).toContain('10.213.7.2');
      server.stdin?.write('go\n');
      await waitFor(() => serverOut() + serverErr(), 'listening');
      client.stdin?.write('go\n');
      const [s, c] = await Promise.all([server.exited, client.exited]);
      expect(serverErr()).toBe('');
      expect(s.exitCode).toBe(0);
      expect(c.exitCode).toBe(0);
      expect(serverOut()).toContain('server got ping from 10.213.7.2 on 10.213.7.1');
      expect(clientOut()).toContain('client got pong:ping as 10.213.7.2');
      expect(hostLinkNames()).not.toContain(`${t}a`); // nothing leaked into the host namespace
      link.remove();
      expect(findLink(`${t}a`, { netns: nsA })).toBeUndefined();
      expect(findLink(`${t}b`, { netns: nsB })).toBeUndefined();
    } finally {
      await Promise.all([stop(server), stop(client)]);
    }
  });

  it('rejects bad input before any change, and undoes a half-made link', async () => {
    const t = tag();
    const a = spawn({ argv: ['/bin/busybox', 'sleep', '600'], namespaces: ['net'], stdio: ['ignore', 'ignore', 'ignore'] });
    const b = spawn({ argv: ['/bin/busybox', 'sleep', '600'], namespaces: ['net'], stdio: ['ignore', 'ignore', 'ignore'] });
    using nsA = Namespace.fromPid(a.pid, 'net');
    using nsB = Namespace.fromPid(b.pid, 'net');
    try {
      const links = () => [...run('nsenter', [`--net=/proc/${a.pid}/ns/net`, 'ip', '-o', 'link']).matchAll(/^\d+: ([^:@]+)/gm)].map((m) => m[1]);
      const before = links();
      // A 16-byte name: rejected before any netlink call.
      const long = 'kc0123456789abcd';
      expect(() => connectWithVeth({ name: long, netns: nsA }, { name: `${t}b`, netns: nsB })).toThrow(NamespaceError);
      expect(() => connectWithVeth({ name: `${t}a`, netns: nsA, address: '10.0.0.300/24' }, { name: `${t}b`, netns: nsB })).toThrow(/address/);
      expect(links()).toEqual(before);
      // A gateway no link can reach fails after the pair exists: the pair must be gone again.
      let failure: unknown;
      try {
        connectWithVeth({ name: `${t}a`, netns: nsA, address: '10.214.0.1/24' }, { name: `${t}b`, netns: nsB, address: '10.214.0.2/24', gateway: '10.99.0.1' });
      } catch (e) {
        failure = e;
      }
      expect(failure).toBeInstanceOf(NamespaceError);
      expect((failure as NamespaceError).code).toBe('ENETUNREACH');
      expect(links()).toEqual(before);
      expect(findLink(`${t}b`, { netns: nsB })).toBeUndefined();
      expect(listAddresses({ netns: nsB }).map((x) => x.address)).not.toContain('10.214.0.2');
    } finally {
      await Promise.all([stop(a), stop(b)]);
    }
  });
});
