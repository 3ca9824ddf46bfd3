/**
 * kc's main demo (what `bash scripts/demo.sh` runs): a busybox container with
 * limits, composed by @kc/container from every kc package, and what each
 * primitive did, seen from inside (spawn pipeline, namespaces, cgroups,
 * capabilities, seccomp); then a second container that counts, checkpointed
 * with CRIU and restored, continuing from where it stopped.
 *
 * Run as root: pnpm exec tsx examples/demo.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxRootfs, Container, defaultConfig } from '@kc/container';

const bundle = mkdtempSync(join(tmpdir(), 'kc-demo-'));
buildBusyboxRootfs(join(bundle, 'rootfs'));
const config = defaultConfig({
  hostname: 'kc-demo',
  args: [
    'sh',
    '-c',
    [
      // The glob runs in the shell itself (no child), so it counts what the container can see.
      'set -- /proc/[0-9]*; echo "pid namespace:   I am pid $$ ($(cat /proc/1/comm)); processes visible: $#"',
      'echo "uts namespace:   hostname $(hostname)"',
      'echo "net namespace:   interfaces $(ls /sys/class/net | tr "\\n" " ")"',
      'echo "mnt namespace:   root is $(grep " / " /proc/mounts | cut -d" " -f4 | cut -d, -f1), $(wc -l < /proc/mounts) mounts, /proc/keys masked: $(wc -c < /proc/keys) bytes"',
      'echo "cgroup limits:   memory $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max), pids $(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)"',
      'echo "capabilities:    $(grep CapEff /proc/self/status | cut -f2) (Docker\'s 14)"',
      'echo "no_new_privs:    $(grep NoNewPrivs /proc/self/status | cut -f2)"',
      'echo "seccomp:         mode $(grep "^Seccomp:" /proc/self/status | cut -f2); unshare(2) is refused:$(unshare -m true 2>&1 | cut -d: -f3)"',
      'echo "rlimit nofile:   $(ulimit -n)"',
    ].join('; '),
  ],
});
config.linux!.resources = { ...config.linux!.resources, memory: { limit: 128 * 1024 * 1024 }, pids: { limit: 32 } };
writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));

const root = join(bundle, 'state');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

try {
  console.log('== 1. a container, and what each primitive did');
  await using c = await Container.create({ id: `demo-${process.pid}`, bundle, root, stdio: ['ignore', 'pipe', 'inherit'] });
  console.log(`host: pid ${process.pid}, hostname ${hostname()}; container ${c.id} is ${c.status} (host pid ${c.pid})`);
  await c.start();
  let out = '';
  for await (const chunk of c.process!.stdout!) out += chunk;
  console.log(out.trimEnd());
  console.log(`exit: ${JSON.stringify(await c.wait())}; container is ${c.status}`);

  console.log('\n== 2. checkpoint and restore with CRIU');
  // A counter that writes its value with a rename, so a dump never catches a half-written file.
  const counter = defaultConfig({ args: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.05; done'] });
  counter.root = { path: 'rootfs', readonly: false };
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(counter));
  const count = () => Number(readFileSync(join(bundle, 'rootfs/tmp/n'), 'utf8'));
  const id = `demo-ckpt-${process.pid}`;
  const images = join(bundle, 'images');
  const first = await Container.create({ id, bundle, root, stdio: ['ignore', 'ignore', 'ignore'] });
  await first.start();
  await sleep(500);
  await first.checkpoint({ imagesDir: images });
  const atDump = count();
  console.log(`checkpointed ${id} at count ${atDump}; it is ${first.status}`);
  await first.delete();
  await sleep(300);
  console.log(`300 ms later, with nothing running, the count is still ${count()}`);
  await using restored = await Container.restore({ id, bundle, imagesDir: images, root });
  await sleep(500);
  console.log(`restored as host pid ${restored.pid} (${restored.status}); count is now ${count()}: it continued from ${atDump}, not from 0`);
} finally {
  rmSync(bundle, { recursive: true, force: true });
}
