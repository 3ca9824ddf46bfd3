import { execFileSync, spawn as spawnChild } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cgroup, type CgroupLayout, releaseAgent, setReleaseAgent } from '@kc/cgroups';
import { describe, expect, it } from 'vitest';
import { tool } from '../../../test-support/tools.js';
import { sleep, spawnIn } from './helpers.js';

/** Probe: can a private named v1 hierarchy be mounted here (cgroup v1 filesystem built in)? */
function canMountNamedV1(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'kc-v1probe-'));
  try {
    execFileSync(
      'unshare',
      ['-m', '--propagation', 'private', 'sh', '-c', `mount -t cgroup -o none,name=kc-probe-${process.pid} cgroup ${dir} && umount ${dir}`],
      { stdio: 'ignore' },
    );
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A v1 hierarchy outlives its last mount when a (dying) child group still
 * existed at unmount time, and stays visible host-wide in /proc/PID/cgroup.
 * Mounting it once more with no children and unmounting destroys it.
 */
async function destroyNamedHierarchy(name: string): Promise<void> {
  const present = () => readFileSync('/proc/self/cgroup', 'utf8').includes(`name=${name}:`);
  // The helper's mount namespace is torn down after it exits: give the kernel a moment first.
  for (let i = 0; i < 40 && present(); i++) await sleep(50);
  if (!present()) return;
  execFileSync('unshare', [
    '-m',
    '--propagation',
    'private',
    'sh',
    '-c',
    `d=$(mktemp -d) && mount -t cgroup -o none,name=${name} cgroup "$d" && find "$d" -mindepth 1 -depth -type d -exec rmdir {} \\; ; umount "$d"; rmdir "$d"`,
  ]);
}

describe.runIf(tool('unshare') && canMountNamedV1())('v1 release agent (a private named v1 hierarchy can be mounted)', () => {
  it('runs the release agent with the group path when a notify_on_release group empties', async () => {
    // The hierarchy is mounted in a helper's private mount namespace and
    // reached through /proc/PID/root, so no other process ever sees it.
    const dir = mkdtempSync(join(tmpdir(), 'kc-release-'));
    const name = `kc-test-${process.pid}`;
    const agent = join(dir, 'agent.sh');
    writeFileSync(agent, `#!/bin/sh\necho "$1" >> ${join(dir, 'out')}\n`);
    chmodSync(agent, 0o755);
    const helper = spawnChild(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mkdir ${dir}/mnt && mount -t cgroup -o none,name=${name} cgroup ${dir}/mnt && echo ready && exec sleep 60`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        helper.stdout.once('data', () => resolve());
        helper.once('exit', (c) => reject(new Error(`helper exited ${c}`)));
      });
      const layout: CgroupLayout = {
        mode: 'legacy',
        v1: [
          {
            version: 1,
            mountPoint: `/proc/${helper.pid}/root${dir}/mnt`,
            mountRoot: '/',
            controllers: [],
            name,
          },
        ],
        controllers: new Map(),
        self: new Map(),
        fsRoot: '',
      };
      setReleaseAgent(name, agent, layout);
      expect(releaseAgent(name, layout)).toBe(agent);
      const cg = Cgroup.create('job', { layout });
      cg.setNotifyOnRelease(true);
      const p = spawnIn(cg, ['true']);
      await p.exited;
      const out = join(dir, 'out');
      for (let i = 0; i < 100 && !existsSync(out); i++) await sleep(20);
      expect(readFileSync(out, 'utf8')).toBe('/job\n');
      await cg.delete();
    } finally {
      helper.kill('SIGKILL');
      await new Promise((r) => helper.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
      await destroyNamedHierarchy(name);
    }
    // A v1 hierarchy is global: it shows in every process's /proc/PID/cgroup until
    // destroyed, which the kernel finishes asynchronously (after an RCU grace period).
    await expect.poll(() => readFileSync('/proc/self/cgroup', 'utf8'), { timeout: 5000, interval: 50 }).not.toContain(`name=${name}:`);
  });
});
