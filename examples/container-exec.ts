/**
 * A second process inside a running container (`exec`), then pause, resume
 * and a forced delete: the Container lifecycle of @kc/container.
 *
 * Run as root: pnpm exec tsx examples/container-exec.ts
 */
import { mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxRootfs, Container, defaultConfig } from '@kc/container';

const bundle = mkdtempSync(join(tmpdir(), 'kc-exec-'));
buildBusyboxRootfs(join(bundle, 'rootfs'));
writeFileSync(join(bundle, 'config.json'), JSON.stringify(defaultConfig({ args: ['sleep', '60'] })));
try {
  const c = await Container.create({ id: `exec-${process.pid}`, bundle, root: join(bundle, 'state'), stdio: ['ignore', 'ignore', 'ignore'] });
  await c.start();
  console.log(`started: ${c.status}, pid ${c.pid}`);
  const p = c.exec(
    { args: ['sh', '-c', 'echo "exec sees pid 1 as: $(cat /proc/1/comm), itself as pid $$"; readlink /proc/self/ns/pid'] },
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  for await (const chunk of p.stdout!) out += chunk;
  await p.exited;
  const [line, ns] = out.trim().split('\n');
  console.log(line);
  console.log(`same pid namespace as the container: ${ns === readlinkSync(`/proc/${c.pid}/ns/pid`)}`);
  await c.pause();
  console.log(`after pause: ${c.status}`);
  await c.resume();
  console.log(`after resume: ${c.status}`);
  await c.delete({ force: true });
  console.log(`deleted; processes left in its cgroup: ${c.pids().length}`);
} finally {
  rmSync(bundle, { recursive: true, force: true });
}
