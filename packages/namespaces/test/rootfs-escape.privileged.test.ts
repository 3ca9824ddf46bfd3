import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spawn } from '@kc/native';
import { MountPlan } from '@kc/namespaces';
import { collect, stop, tag, waitFor } from './helpers.js';
import { busyboxRootfs } from './rootfs.js';

/** Mount points of a process's mountinfo (field 5), unescaped. */
const mountPoints = (pid: number) =>
  readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => ({
      point: (l.split(' ')[4] ?? '').replace(/\\040/g, ' '),
      fstype: l.slice(l.indexOf(' - ') + 3).split(' ')[0],
    }));

describe('mount targets inside a rootfs', () => {
  it('a symlink to / (or up with ..) in the rootfs does not let a mount escape', async () => {
    const root = busyboxRootfs();
    const id = `kc-esc-${tag()}`;
    // The bait: the same directory exists on the host, where a followed symlink would land.
    mkdirSync(`/tmp/${id}`);
    mkdirSync(`${root}/tmp/${id}`);
    symlinkSync('/', `${root}/escape`);
    symlinkSync('../../../../../..', `${root}/up`);
    const p = spawn({
      argv: ['/bin/busybox', 'sh', '-c', 'echo ready; read x'],
      namespaces: ['mnt'],
      mounts: new MountPlan()
        .rootfs(root)
        .tmpfs(`/escape/tmp/${id}`, { create: false, data: 'size=1m' })
        .tmpfs(`/up/mnt`, { create: false, data: 'size=1m' })
        .steps(),
    });
    const out = collect(p.stdout);
    try {
      await waitFor(out, 'ready');
      // Seen from outside (the child kept the host root: no pivot), so paths are host paths.
      const points = mountPoints(p.pid);
      expect(points).toContainEqual({ point: `${root}/tmp/${id}`, fstype: 'tmpfs' });
      expect(points).toContainEqual({ point: `${root}/mnt`, fstype: 'tmpfs' });
      expect(points.map((m) => m.point)).not.toContain(`/tmp/${id}`);
      expect(points.map((m) => m.point)).not.toContain('/mnt');
    } finally {
      await stop(p);
      rmSync(root, { recursive: true, force: true });
      rmSync(`/tmp/${id}`, { recursive: true, force: true });
    }
  });

  it('pivots into the rootfs with proc, tmpfs, masked and read-only paths', async () => {
    const root = busyboxRootfs();
    symlinkSync('/', `${root}/escape`);
    try {
      const p = spawn({
        argv: [
          '/bin/sh',
          '-c',
          'grep -E " / | /proc | /tmp | /proc/keys " /proc/self/mountinfo; ls /; wc -c < /proc/keys; echo x > /proc/sys/kernel/hostname || echo ro-ok',
        ],
        namespaces: ['mnt', 'pid', 'uts'],
        mounts: new MountPlan()
          .rootfs(root)
          .proc()
          .tmpfs('/escape/tmp', { create: false })
          // Masking binds /dev/null over files, so the rootfs needs one.
          .tmpfs('/dev', { create: false, data: 'mode=755' })
          .bind('/dev/null', '/dev/null', { file: true })
          .pivot()
          .mask(['/proc/keys'])
          .readonly(['/proc/sys'])
          .steps(),
      });
      const out = collect(p.stdout);
      const err = collect(p.stderr);
      expect((await p.exited).exitCode).toBe(0);
      const text = out();
      expect(text).toMatch(/ \/proc .* - proc /);
      expect(text).toMatch(/ \/tmp .* - tmpfs /);
      expect(text).toContain('escape'); // ls / lists the rootfs, not the host
      expect(text).not.toContain('home');
      expect(text).toMatch(/ \/proc\/keys .* - devtmpfs /); // masked by a bind of /dev/null
      expect(text).toMatch(/^0$/m);
      expect(text).toContain('ro-ok');
      expect(err()).toMatch(/Read-only file system/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
