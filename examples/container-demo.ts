/**
 * kc's container demo: a busybox container with limits, built from kc's
 * primitives (spawn pipeline, cgroups, namespaces, capabilities, seccomp),
 * and what each primitive did, seen from inside.
 *
 * Run as root: pnpm exec tsx examples/container-demo.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxRootfs, Container, defaultConfig } from '@kc/container';

const bundle = mkdtempSync(join(tmpdir(), 'kc-demo-'));
buildBusyboxRootfs(join(bundle, 'rootfs'));
const config = defaultConfig({
  hostname: 'kc-demo',
  args: ['sh', '-c', [
    'echo "pid namespace:   I am pid $$ ($(cat /proc/1/comm)); host processes visible: none"',
    'echo "uts namespace:   hostname $(hostname)"',
    'echo "net namespace:   interfaces $(ls /sys/class/net | tr "\\n" " ")"',
    'echo "mnt namespace:   root is $(grep " / " /proc/mounts | cut -d" " -f4 | cut -d, -f1), $(wc -l < /proc/mounts) mounts, /proc/keys masked: $(wc -c < /proc/keys) bytes"',
    'echo "cgroup limits:   memory $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max), pids $(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)"',
    'echo "capabilities:    $(grep CapEff /proc/self/status | cut -f2) (Docker\'s 14)"',
    'echo "no_new_privs:    $(grep NoNewPrivs /proc/self/status | cut -f2)"',
    'echo "seccomp:         mode $(grep "^Seccomp:" /proc/self/status | cut -f2); unshare(2) is refused:$(unshare -m true 2>&1 | cut -d: -f3)"',
    'echo "rlimit nofile:   $(ulimit -n)"',
  ].join('; ')],
});
config.linux!.resources = { ...config.linux!.resources, memory: { limit: 128 * 1024 * 1024 }, pids: { limit: 32 } };
writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));

try {
  await using c = await Container.create({ id: `demo-${process.pid}`, bundle, root: join(bundle, 'state'), stdio: ['ignore', 'pipe', 'inherit'] });
  console.log(`host: pid ${process.pid}, hostname ${hostname()}; container ${c.id} is ${c.status} (host pid ${c.pid})`);
  await c.start();
  let out = '';
  for await (const chunk of c.process!.stdout!) out += chunk;
  console.log(out.trimEnd());
  console.log(`exit: ${JSON.stringify(await c.wait())}; container is ${c.status}`);
} finally {
  rmSync(bundle, { recursive: true, force: true });
}
