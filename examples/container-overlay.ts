/**
 * A container on an overlayfs root: the busybox layer stays untouched and
 * every change lands in the upper directory, a diff you can inspect.
 *
 * Run as root: pnpm exec tsx examples/container-overlay.ts
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxRootfs, Container, defaultConfig, mountOverlayRootfs } from '@kc/container';

const dir = mkdtempSync(join(tmpdir(), 'kc-overlay-'));
const lower = join(dir, 'busybox');
buildBusyboxRootfs(lower);
const merged = mountOverlayRootfs({ lower: [lower], upper: join(dir, 'upper'), work: join(dir, 'work'), target: join(dir, 'merged') });
const config = defaultConfig({ args: ['sh', '-c', 'echo hi > /root/note; mkdir -p /srv/app; rm /bin/vi; echo wrote'], rootfs: merged, readonlyRoot: false });
writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
try {
  await using c = await Container.create({
    id: `overlay-${process.pid}`,
    bundle: dir,
    root: join(dir, 'state'),
    overlayMount: merged,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await c.start();
  await c.wait();
  const walk = (d: string, prefix = ''): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name), `${prefix}/${e.name}`) : [`${prefix}/${e.name}`]));
  console.log(`files in the upper dir (the container's changes): ${walk(join(dir, 'upper')).sort().join(' ')}`);
  console.log(`lower layer still has /bin/vi: ${readdirSync(join(lower, 'bin')).includes('vi')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
