/**
 * Persists a network namespace the way `ip netns add` does (a bind mount at
 * /run/netns/NAME), shows that it outlives its process and that iproute2
 * sees it, joins it by path, and removes it.
 * Run as root: pnpm exec tsx examples/namespaces-persist.ts
 */
import { execFileSync } from 'node:child_process';
import { spawn } from '@kc/native';
import { listNetns, Namespace, namespaceSpec, netnsPath, openPersisted, persistNetns, removePersisted } from '@kc/namespaces';

const name = `kc-example-${process.pid}`;
const holder = spawn({ argv: ['/bin/busybox', 'sleep', '60'], namespaces: ['net'], stdio: ['ignore', 'ignore', 'inherit'] });
let inode: number;
{
  using ns = Namespace.fromPid(holder.pid, 'net');
  inode = ns.inode;
  console.log(`persisted at ${persistNetns(name, ns)}`);
}
holder.kill('SIGKILL');
await holder.exited;
{
  using again = openPersisted(name);
  console.log(`after its process exited the namespace lives on: ${again.inode === inode}`);
}
console.log(`listNetns has it: ${listNetns().includes(name)}`);
console.log(`ip netns list has it: ${execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(name)}`);
const joined = spawn({ argv: ['/bin/busybox', 'readlink', '/proc/self/ns/net'], ...namespaceSpec({ join: [{ kind: 'net', path: netnsPath(name) }] }) });
let text = '';
joined.stdout?.on('data', (d) => (text += d));
await joined.exited;
console.log(`a process joined by path is in it: ${text.trim() === `net:[${inode}]`}`);
removePersisted(name);
console.log(`removed: ${!listNetns().includes(name)}`);
