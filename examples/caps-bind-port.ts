/**
 * Runs python3 as uid 65534 (nobody) with only CAP_NET_BIND_SERVICE, in its
 * own network namespace: it binds port 80 but cannot chown, and its
 * /proc/self/status shows exactly the asked sets (ambient keeps them across
 * execve for a non-root user).
 * Run as root: pnpm exec tsx examples/caps-bind-port.ts
 */
import { spawn } from '@kc/native';
import { Capabilities, capabilitiesAfterExec, parseProcStatus, toSpawnCapabilities } from '@kc/caps';

const caps = Capabilities.only(['NET_BIND_SERVICE']);
const script = [
  'import os, socket',
  "s = socket.socket(); s.bind(('0.0.0.0', 80)); print('bind :80 ok')",
  "try:\n    os.chown('/proc/self/status', 0, 0)\nexcept OSError as e:\n    print('chown:', e.strerror)",
  "print(open('/proc/self/status').read(), end='')",
].join('\n');
const child = spawn({
  argv: ['/usr/bin/python3', '-c', script],
  user: { uid: 65534, gid: 65534, groups: [] },
  namespaces: ['net'],
  capabilities: toSpawnCapabilities(caps),
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
const status = await child.exited;
console.log(
  out
    .split('\n')
    .filter((l) => !/^\w+:\t/.test(l) || l.startsWith('Cap'))
    .join('\n')
    .trim(),
);
const seen = parseProcStatus(out).capabilities;
console.log(`child exit code: ${status.exitCode}`);
console.log(`sets as asked: ${seen.equals(caps)}; as capabilities(7) predicts: ${seen.equals(capabilitiesAfterExec(caps, { uid: 65534 }))}`);
