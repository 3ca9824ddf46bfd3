/**
 * A unix socket pair needs no shared network or filesystem: one end goes to a
 * child in new net, mnt, pid and ipc namespaces, and both sides talk.
 * Run as root: pnpm exec tsx examples/namespaces-socketpair.ts
 */
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { spawn } from '@kc/native';
import { sameNamespace, unixSocketPair } from '@kc/namespaces';

const [mine, theirs] = unixSocketPair('stream');
const child = spawn({
  argv: ['/bin/busybox', 'sh', '-c', 'echo "child: hello (I am pid $$ in my namespace)" >&3; read line <&3; echo "child got: $line"'],
  namespaces: ['net', 'mnt', 'pid', 'ipc'],
  extraFds: [theirs],
  stdio: ['ignore', 'inherit', 'inherit'],
});
closeSync(theirs);
console.log(`child shares our net namespace: ${sameNamespace(process.pid, child.pid, 'net')}`);
const sock = new Socket({ fd: mine, readable: true, writable: true });
sock.once('data', (d) => {
  process.stdout.write(`parent got: ${d}`);
  sock.end('hello back from the host\n');
});
console.log(`child exit code: ${(await child.exited).exitCode}`);
sock.destroy();
