import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Container } from '@kc/container';
import { afterAll, describe, expect, it } from 'vitest';
import { tool } from '../../../test-support/tools.js';
import { kc, kcDetached, leftoverCgroups, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const root = tempDir('kc-state-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** Resolves true once `check()` holds (polled every 10 ms), false after `ms`. */
async function waitFor(check: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !check()) await new Promise((r) => setTimeout(r, 10));
  return check();
}

/** `pid:state` of each pid (from /proc/PID/stat), to say why a restored tree does not run. */
function treeStates(pids: readonly number[]): string {
  return pids
    .map((p) => {
      try {
        return `${p}:${
          readFileSync(`/proc/${p}/stat`, 'utf8')
            .replace(/^.*\) /, '')
            .split(' ')[0]
        }`;
      } catch {
        return `${p}:gone`;
      }
    })
    .join(' ');
}

describe.runIf(probe.root && probe.busybox && tool('criu'))('checkpoint and restore through @kc/criu (needs root, busybox-static, criu)', () => {
  it('a checkpointed container stops, and its restore continues where it left off', async () => {
    const { bundle, cleanup } = makeBundle(
      ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.05; done'],
      (c) => {
        c.root = { path: 'rootfs', readonly: false };
      },
    );
    const id = uniqueId('ckpt');
    const images = join(bundle, 'images');
    // Written with rename, so a dump never catches a half-written file.
    const count = () => {
      try {
        return Number(readFileSync(join(bundle, 'rootfs/tmp/count'), 'utf8'));
      } catch {
        return 0; // not written yet
      }
    };
    try {
      const c = await Container.create({ id, bundle, root, stdio: ['pipe', 'pipe', 'pipe'] });
      await c.start();
      expect(await waitFor(() => count() > 2), `the counter never started: ${count()}`).toBe(true);
      await c.checkpoint({ imagesDir: images });
      expect(existsSync(join(images, 'inventory.img'))).toBe(true);
      const dumped = await c.wait();
      expect(dumped.signal, `the dumped process ended ${JSON.stringify(dumped)}`).toBe('SIGKILL');
      expect(c.status).toBe('stopped');
      const atDump = count();
      expect(atDump).toBeGreaterThan(2);
      await c.delete();
      // Deleting removed its cgroups (a populated one cannot be removed): nothing is left to count.
      expect(leftoverCgroups(id)).toEqual([]);
      expect(count()).toBe(atDump);

      await using r = await Container.restore({ id, bundle, imagesDir: images, root });
      expect(r.status).toBe('running');
      // The shell's counter variable came back from the images: the first new value continues from
      // atDump (a fresh start would write 1).
      const moved = await waitFor(() => count() !== atDump);
      expect(moved, `the restored counter stayed at ${atDump}; the tree: ${treeStates(r.pids())}`).toBe(true);
      const after = count();
      expect(after).toBeGreaterThan(atDump);
      expect(after).toBeLessThan(atDump + 40);
      expect(r.pids()).toContain(r.pid);
    } finally {
      // After a failure halfway, remove whatever container is left under this id.
      try {
        await Container.load(id, root).delete({ force: true });
      } catch {
        /* nothing left */
      }
      cleanup();
    }
    expect(leftoverCgroups(id)).toEqual([]);
  });

  it('kc checkpoint / kc restore work on a detached container whose stdio is the host /dev/null', () => {
    const { bundle, cleanup } = makeBundle(['sh', '-c', 'while true; do sleep 0.1; done']);
    const id = uniqueId('ckcli');
    const images = join(bundle, 'images');
    try {
      expect(kcDetached(['--root', root, 'run', '--detach', '--bundle', bundle, id])).toBe(0);
      const ck = kc(['--root', root, 'checkpoint', '--image-path', images, id]);
      expect(ck.status, ck.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(images, 'descriptors.json'), 'utf8'))[0]).toMatchObject({ fd: 0, path: '/dev/null' });
      expect(JSON.parse(kc(['--root', root, 'state', id]).stdout).status).toBe('stopped');
      expect(kc(['--root', root, 'delete', id]).status).toBe(0);
      expect(kcDetached(['--root', root, 'restore', '--detach', '--image-path', images, '--bundle', bundle, id])).toBe(0);
      expect(JSON.parse(kc(['--root', root, 'state', id]).stdout).status).toBe('running');
    } finally {
      kc(['--root', root, 'delete', '--force', id]);
      cleanup();
    }
    expect(leftoverCgroups(id)).toEqual([]);
  });
});
