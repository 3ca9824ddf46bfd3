import { cpSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PollEvent, rawCore, watchFd } from '@kc/native';
import type { OutsideFd } from '../lifecycle/checkpoint-externals.js';
import { Container } from '../lifecycle/container.js';
import type { StdioPaths } from './stdio.js';

/** A task restored from CRIU images: its container, and its init's end. */
export interface RestoredTask {
  readonly container: Container;
  /** Resolves when the restored init has exited (it is not the shim's child: no exit status, see {@link restoreTask}). */
  readonly ended: Promise<void>;
}

/**
 * The images dir as Container.restore should see it: a directory of links to
 * the checkpoint's files whose `descriptors.json` sends the container's
 * stdio files (the fifos the checkpointed task had, which containerd removed
 * with that task) to the fifos of the new task, or /dev/null where it has
 * none. Pipes are left to CRIU, which recreates them. The checkpoint itself
 * is containerd's and stays untouched.
 */
export function redirectedImages(imagesDir: string, into: string, paths: StdioPaths): string {
  const src = resolve(imagesDir);
  mkdirSync(into, { recursive: true });
  for (const name of readdirSync(src)) {
    if (name === 'descriptors.json') continue;
    // Hard links (a copy across filesystems), not symlinks: CRIU's restored tasks read their images after they
    // entered the container's mount namespace, where an absolute link target does not resolve.
    try {
      linkSync(join(src, name), join(into, name));
    } catch {
      cpSync(join(src, name), join(into, name), { recursive: true });
    }
  }
  let outside: OutsideFd[] = [];
  try {
    outside = JSON.parse(readFileSync(join(src, 'descriptors.json'), 'utf8')) as OutsideFd[];
  } catch {
    /* a checkpoint with no outside stdio */
  }
  const byFd = [paths.stdin, paths.stdout, paths.stderr];
  const redirected = outside.map((d) => (d.key.startsWith('pipe:[') ? d : { ...d, path: byFd[d.fd] || '/dev/null' }));
  writeFileSync(join(into, 'descriptors.json'), JSON.stringify(redirected));
  return into;
}

/**
 * Restores task `id` of `bundle` from containerd's checkpoint directory
 * (what the shim's Checkpoint dumped) through Container.restore, its stdout
 * and stderr the new task's fifos. CRIU restores the tree detached, so it
 * is not the shim's child: its end is seen on a pidfd, but its exit status
 * cannot be reaped (the caller reports the signal it sent, if any).
 */
export async function restoreTask(opts: { id: string; bundle: string; root: string; checkpoint: string; paths: StdioPaths }): Promise<RestoredTask> {
  // A dot name: no container id starts with one, so it cannot meet a container's state directory.
  const work = join(opts.root, `.restore-${opts.id}`);
  rmSync(work, { recursive: true, force: true });
  try {
    const imagesDir = redirectedImages(opts.checkpoint, join(work, 'images'), opts.paths);
    const container = await Container.restore({ id: opts.id, bundle: opts.bundle, root: opts.root, imagesDir, workDir: work });
    return { container, ended: endOf(container.pid) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Resolves when process `pid` has exited (its pidfd turns readable), at once when it is gone already. */
function endOf(pid: number): Promise<void> {
  const core = rawCore();
  let pidfd: number;
  try {
    pidfd = core.pidfdOpen(pid);
  } catch {
    return Promise.resolve(); // ESRCH: it ended before the watch began
  }
  return new Promise<void>((done) => {
    const w = watchFd(
      pidfd,
      PollEvent.Readable,
      () => {
        w.stop();
        core.closeFd(pidfd);
        done();
      },
      () => {
        w.stop();
        core.closeFd(pidfd);
        done();
      },
    );
  });
}
