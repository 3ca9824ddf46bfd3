import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Container, mountOverlayRootfs } from '@kc/container';
import { afterAll, describe, expect, it } from 'vitest';
import { makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const root = tempDir('kc-state-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(bundle: string, extra: { overlayMount?: string } = {}) {
  const c = await Container.create({ id: uniqueId('rfs'), bundle, root, stdio: ['ignore', 'pipe', 'pipe'], ...extra });
  await c.start();
  let out = '';
  for await (const chunk of c.process!.stdout!) out += chunk;
  const exit = await c.wait();
  await c.delete();
  return { out, exit };
}

describe.runIf(probe.root && probe.busybox)('root filesystems (needs root and busybox-static)', () => {
  it('a read-only root refuses writes while /tmp-less paths like /dev/shm stay writable', async () => {
    const { bundle, cleanup } = makeBundle(['sh', '-c', 'touch /newfile 2>&1; touch /dev/shm/ok && echo shm-ok']);
    try {
      const r = await run(bundle);
      expect(r.out).toMatch(/Read-only file system/);
      expect(r.out).toMatch(/shm-ok/);
      expect(existsSync(join(bundle, 'rootfs/newfile'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it.runIf(probe.overlay)('an overlay root keeps the layers intact and lands every change in the upper dir (overlayfs)', async () => {
    const { bundle, cleanup } = makeBundle(['sh', '-c', 'echo changed > /etc/hostname; echo new > /root/new; rm /bin/vi; echo done'], (c) => {
      c.root = { path: 'merged', readonly: false };
    });
    const layers = tempDir('kc-layers-');
    const merged = join(bundle, 'merged');
    try {
      mountOverlayRootfs({ lower: [join(bundle, 'rootfs')], upper: join(layers, 'upper'), work: join(layers, 'work'), target: merged });
      const r = await run(bundle, { overlayMount: merged });
      expect(r.out.trim()).toBe('done');
      expect(readFileSync(join(layers, 'upper/etc/hostname'), 'utf8')).toBe('changed\n');
      expect(readFileSync(join(layers, 'upper/root/new'), 'utf8')).toBe('new\n');
      expect(readFileSync(join(bundle, 'rootfs/etc/hostname'), 'utf8')).toBe('kc\n');
      expect(existsSync(join(bundle, 'rootfs/bin/vi'))).toBe(true);
      // Container.delete unmounted the overlay it was given.
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(` ${merged} `);
    } finally {
      rmSync(layers, { recursive: true, force: true });
      cleanup();
    }
  });
});
