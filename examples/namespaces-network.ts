/**
 * Connects two new network namespaces with a veth pair over rtnetlink
 * (addresses, loopback, a default route) and pings across it; lists links
 * as the kernel reports them. No `ip` command is used.
 * Run as root: pnpm exec tsx examples/namespaces-network.ts
 */
import { spawn } from '@kc/native';
import { connectWithVeth, listAddresses, listLinks, listRoutes, Namespace, NamespaceError } from '@kc/namespaces';

const a = spawn({ argv: ['/bin/busybox', 'sleep', '60'], namespaces: ['net'], stdio: ['ignore', 'ignore', 'inherit'] });
const b = spawn({ argv: ['/bin/busybox', 'sleep', '60'], namespaces: ['net'], stdio: ['ignore', 'ignore', 'inherit'] });
const netA = Namespace.fromPid(a.pid, 'net');
const netB = Namespace.fromPid(b.pid, 'net');
const tag = `kc${process.pid % 100000}`;
try {
  connectWithVeth({ name: `${tag}-x`, netns: netA, address: 'a'.repeat(3) }, { name: `${tag}-y`, netns: netB });
} catch (e) {
  if (e instanceof NamespaceError) console.log(`rejected before any change: ${e.code} ${e.field}`);
}
const link = connectWithVeth(
  { name: `${tag}-a`, netns: netA, address: '10.250.0.1/24', loopback: true },
  { name: `${tag}-b`, netns: netB, address: '10.250.0.2/24', loopback: true, gateway: '10.250.0.1' },
);
console.log(
  `links in A: ${listLinks({ netns: netA })
    .map((l) => `${l.name}${l.kind ? `(${l.kind})` : ''}${l.up ? ' up' : ''}`)
    .join(', ')}`,
);
console.log(
  `addresses in B: ${listAddresses({ netns: netB })
    .filter((x) => x.family === 2)
    .map((x) => `${x.address}/${x.prefix}`)
    .join(', ')}`,
);
console.log(`default route in B: via ${listRoutes({ netns: netB }).find((r) => r.destination === 'default')?.gateway}`);
const ping = spawn({ argv: ['/bin/busybox', 'ping', '-c', '1', '-W', '2', '10.250.0.1'], join: [{ kind: 'net', fd: netB.fd }] });
let out = '';
ping.stdout?.on('data', (d) => (out += d));
console.log(`ping from B to A: exit ${(await ping.exited).exitCode}, ${/(\d+) packets received/.exec(out)?.[1]} received`);
link.remove();
console.log(
  `after remove, links in A: ${listLinks({ netns: netA })
    .map((l) => l.name)
    .join(', ')}`,
);
for (const p of [a, b]) p.kill('SIGKILL');
await Promise.all([a.exited, b.exited]);
netA.close();
netB.close();
