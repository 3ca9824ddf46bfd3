/**
 * @kc/native's spawn pipeline on its own: one process in fresh namespaces
 * (with a user namespace mapping root to an unprivileged range), and what it
 * sees from inside compared with the host.
 *
 * Run as root: pnpm exec tsx examples/native-spawn.ts
 */
import { hostname } from 'node:os';
import { spawn } from '@kc/native';

const p = spawn({
  argv: [
    '/bin/sh',
    '-c',
    'echo "pid: $$"; echo "hostname: $(hostname)"; echo "interfaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\\n" " ")"; echo "uid: $(id -u)"',
  ],
  namespaces: ['pid', 'uts', 'net', 'ipc', 'mnt', 'user'],
  uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
  gidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
  hostname: 'kc-demo',
  user: { uid: 0, gid: 0, groups: [] },
  setgroups: 'deny',
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
for await (const chunk of p.stdout!) out += chunk;
const status = await p.exited;
console.log(`host: pid ${process.pid}, hostname ${hostname()}`);
console.log(`child (host pid ${p.pid}) sees:\n${out.trimEnd().replace(/^/gm, '  ')}`);
console.log(
  `exit: code ${status.exitCode}, signal ${status.signal}; CPU ${status.userCpuUs + status.systemCpuUs} µs, peak RSS ${Math.round(status.maxRssBytes / 1024)} KiB`,
);
