/**
 * Builds the namespace part of a spawn spec with namespaceSpec(): a new user
 * namespace with an id map, uts with a hostname, pid, and a time namespace
 * with a boottime offset; then joins the child's namespaces from a second
 * process through its pidfd.
 * Run as root: pnpm exec tsx examples/namespaces-spawn.ts
 */
import { spawn } from '@kc/native';
import { namespaceSpec, NamespaceError, readIdMap } from '@kc/namespaces';

const read = (s: NodeJS.ReadableStream | null) =>
  new Promise<string>((r) => {
    let t = '';
    s?.on('data', (d) => (t += d));
    s?.on('end', () => r(t));
  });

const box = spawn({
  argv: ['/bin/busybox', 'sh', '-c', 'echo "uid=$(id -u) host=$(hostname) pid=$$ uptime=$(cut -d" " -f1 /proc/uptime)"; read x'],
  user: { uid: 0, gid: 0 },
  ...namespaceSpec({
    create: ['user', 'uts', 'pid', 'time'],
    uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
    gidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
    hostname: 'kc-box',
    timeOffsets: { boottime: 86400 * 365 },
  }),
});
const boxOut = read(box.stdout);
console.log(`uid_map: ${JSON.stringify(readIdMap(box.pid, 'uid'))}`);

const visitor = spawn({
  argv: ['/bin/busybox', 'sh', '-c', 'echo "visitor sees host=$(hostname) pid=$$"'],
  ...namespaceSpec({ joinProcess: { pidfd: box.pidfd, kinds: ['user', 'uts', 'pid'] } }),
});
console.log((await read(visitor.stdout)).trim());
await visitor.exited;
box.stdin?.end('\n');
console.log((await boxOut).trim());
await box.exited;

try {
  namespaceSpec({
    create: ['user'],
    uidMap: [
      { containerId: 0, hostId: 1000, size: 10 },
      { containerId: 5, hostId: 2000, size: 1 },
    ],
  });
} catch (e) {
  if (e instanceof NamespaceError) console.log(`rejected: ${e.code} ${e.field}`);
}
