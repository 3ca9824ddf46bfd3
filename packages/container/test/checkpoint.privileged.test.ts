import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Container } from '@kc/container';
import { afterAll, describe, expect, it } from 'vitest';
import { tool } from '../../../test-support/tools.js';
import { KC, kc, kcDetached, leftoverCgroups, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

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
      // Dumped and stopped, the container is gone (runc destroys it too): its id is free for restore.
      expect(kc(['--root', root, 'state', id]).status).toBe(1);
      expect(kcDetached(['--root', root, 'restore', '--detach', '--image-path', images, '--bundle', bundle, id])).toBe(0);
      expect(JSON.parse(kc(['--root', root, 'state', id]).stdout).status).toBe('running');
    } finally {
      kc(['--root', root, 'delete', '--force', id]);
      cleanup();
    }
    expect(leftoverCgroups(id)).toEqual([]);
  });

  it('checkpoint of a paused container, as runc does it: --leave-running keeps it paused, a plain checkpoint destroys it, restore under the same id counts on', async () => {
    const counter = ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/c; sleep 0.02; done'];
    const journey = async (runtime: string) => {
      const { bundle, cleanup } = makeBundle(counter, (c) => {
        c.root = { path: 'rootfs', readonly: false };
      });
      const id = uniqueId(`ckp${runtime}`);
      const rootDir = join(root, runtime);
      const call = (...args: string[]) =>
        spawnSync(runtime === 'kc' ? KC : 'runc', ['--root', rootDir, ...args], { cwd: bundle, stdio: 'ignore', timeout: 60_000 }).status;
      const status = () => {
        const r = spawnSync(runtime === 'kc' ? KC : 'runc', ['--root', rootDir, 'state', id], { encoding: 'utf8' });
        return r.status === 0 ? (JSON.parse(r.stdout) as { status: string }).status : `exit ${r.status}`;
      };
      const count = () => Number(readFileSync(join(bundle, 'rootfs/tmp/c'), 'utf8'));
      const counting = async (past: number) => waitFor(() => existsSync(join(bundle, 'rootfs/tmp/c')) && count() > past + 2);
      try {
        const seen: Record<string, unknown> = {};
        seen.run = call('run', '--detach', id);
        seen.counting = await counting(0);
        seen.pause = call('pause', id);
        const frozenAt = count();
        seen.checkpointLeaveRunning = call('checkpoint', '--leave-running', '--image-path', join(bundle, 'img1'), id);
        seen.afterLeaveRunning = status();
        // Still frozen: the tree writes nothing while its cgroup is frozen (checked again after the dump's own time).
        seen.stillFrozen = count() === frozenAt;
        seen.resume = call('resume', id);
        seen.countingAfterResume = await counting(frozenAt);
        seen.pauseAgain = call('pause', id);
        const dumpedAt = count();
        seen.checkpoint = call('checkpoint', '--image-path', join(bundle, 'img2'), id);
        seen.afterCheckpoint = status();
        seen.restore = call('restore', '--detach', '--image-path', join(bundle, 'img2'), id);
        seen.afterRestore = status();
        seen.restoredCountsOn = (await counting(dumpedAt)) && count() > dumpedAt;
        return seen;
      } finally {
        call('delete', '--force', id);
        cleanup();
      }
    };
    const runc = await journey('runc');
    const kcSeen = await journey('kc');
    expect(runc).toEqual({
      run: 0,
      counting: true,
      pause: 0,
      checkpointLeaveRunning: 0,
      afterLeaveRunning: 'paused',
      stillFrozen: true,
      resume: 0,
      countingAfterResume: true,
      pauseAgain: 0,
      checkpoint: 0,
      afterCheckpoint: 'exit 1',
      restore: 0,
      afterRestore: 'running',
      restoredCountsOn: true,
    });
    expect(kcSeen).toEqual(runc);
  });
});
