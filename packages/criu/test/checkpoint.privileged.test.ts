import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from '@kc/native';
import { Criu, CriuError, readDumpStats, readInventory, readPstree } from '@kc/criu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterPath, isAlive, readCount, tempDir, waitFor } from './helpers.js';

const criu = new Criu();
const dir = tempDir('ckpt');
let counter: string;
// Probed before the tests are collected, so skips name the missing kernel feature.
const features = await criu.features();

beforeAll(() => {
  counter = counterPath(dir.path);
});
afterAll(() => dir.remove());

describe('dump and restore a process tree in its own pid and mount namespaces', () => {
  it('continues counting from where it stopped, as pid 1 of a new pid namespace', async () => {
    const countFile = join(dir.path, 'count-ns');
    const images = join(dir.path, 'img-ns');
    const proc = spawn({
      argv: [counter, countFile, '20'],
      namespaces: ['pid', 'mnt'],
      setsid: true,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    try {
      expect(await waitFor(() => readCount(countFile) >= 5)).toBe(true);
      const dump = await criu.dump({ pid: proc.pid, imagesDir: images });
      // CRIU killed the tree after the dump (no leaveRunning).
      expect((await proc.exited).signal).toBe('SIGKILL');
      const atDump = readCount(countFile);
      expect(atDump).toBeGreaterThanOrEqual(5);
      expect(dump.stats?.pagesWritten).toBeGreaterThan(0);
      // The image says: one task, pid 1 in its namespace; crit-like reads agree with the CLI's view.
      expect(readPstree(images)).toEqual([{ pid: 1, ppid: 0, pgid: 1, sid: 1, threads: [1] }]);
      expect(readInventory(images).imageVersion).toBe(2);

      // The root mount of the dumped mount namespace is restored on '/'.
      const restored = await criu.restore({ imagesDir: images, root: '/', pidFile: join(dir.path, 'restored.pid') });
      const child = restored.process;
      expect(child).not.toBeNull();
      try {
        expect(execFileSync('cat', [join(dir.path, 'restored.pid')], { encoding: 'utf8' }).trim()).toBe(String(restored.pid));
        // Seen from outside: a different host pid, pid 1 inside a pid namespace of its own.
        const status = execFileSync('cat', [`/proc/${restored.pid}/status`], { encoding: 'utf8' });
        expect(status).toMatch(new RegExp(`NSpid:\\s+${restored.pid}\\s+1\\n`));
        expect(await waitFor(() => readCount(countFile) >= atDump + 5)).toBe(true);
        // It went on from the dumped value: a restart from zero would show a small number first.
        expect(readCount(countFile)).toBeGreaterThan(atDump);
        expect(restored.stats?.pagesRestored).toBe(dump.stats?.pagesWritten);
      } finally {
        child?.kill('SIGKILL');
        const exit = await child?.exited;
        expect(exit?.signal).toBe('SIGKILL');
      }
      expect(isAlive(restored.pid)).toBe(false);
    } finally {
      proc.kill('SIGKILL');
    }
  });

  it('leaveRunning keeps the tree alive; logFile and logLevel land in the images dir', async () => {
    const countFile = join(dir.path, 'count-leave');
    const images = join(dir.path, 'img-leave');
    const proc = spawn({ argv: [counter, countFile, '20'], setsid: true, stdio: ['ignore', 'ignore', 'ignore'] });
    try {
      expect(await waitFor(() => readCount(countFile) >= 3)).toBe(true);
      await criu.dump({ pid: proc.pid, imagesDir: images, leaveRunning: true, logLevel: 4, logFile: 'leave.log' });
      expect(isAlive(proc.pid)).toBe(true);
      expect(existsSync(join(images, 'leave.log'))).toBe(true);
      expect(readdirSync(images)).toContain(`core-${proc.pid}.img`);
    } finally {
      proc.kill('SIGKILL');
      await proc.exited;
    }
  });
});

describe('iterative migration: pre-dumps then a dump', () => {
  it.runIf(features.memoryTracking)(
    'writes fewer pages in the final dump than in the first pre-dump (needs soft-dirty memory tracking, CONFIG_MEM_SOFT_DIRTY)',
    async () => {
      const countFile = join(dir.path, 'count-iter');
      const proc = spawn({ argv: [counter, countFile, '20', '32'], setsid: true, stdio: ['ignore', 'ignore', 'ignore'] });
      try {
        expect(await waitFor(() => readCount(countFile) >= 2)).toBe(true);
        const base = join(dir.path, 'iter');
        const one = await criu.preDump({ pid: proc.pid, imagesDir: join(base, '1') });
        const two = await criu.preDump({ pid: proc.pid, imagesDir: join(base, '2'), parentImages: '../1' });
        const last = await criu.dump({ pid: proc.pid, imagesDir: join(base, '3'), parentImages: '../2', trackMemory: true });
        const written = [one, two, last].map((r) => r.stats?.pagesWritten ?? Number.NaN);
        expect(written[0]).toBeGreaterThan(32 * 256 * 0.9);
        expect(written[2]).toBeLessThan(written[0] as number);
        expect(readDumpStats(join(base, '3')).pagesSkippedParent).toBeGreaterThan(0);
      } finally {
        proc.kill('SIGKILL');
      }
    },
  );

  it.runIf(!features.memoryTracking)(
    'reports a typed error naming memory tracking when the kernel lacks soft-dirty bits (CONFIG_MEM_SOFT_DIRTY)',
    async () => {
      const countFile = join(dir.path, 'count-nosd');
      const proc = spawn({ argv: [counter, countFile, '20'], setsid: true, stdio: ['ignore', 'ignore', 'ignore'] });
      try {
        expect(await waitFor(() => readCount(countFile) >= 1)).toBe(true);
        const err = await criu.preDump({ pid: proc.pid, imagesDir: join(dir.path, 'nosd') }).catch((e) => e);
        expect(err).toBeInstanceOf(CriuError);
        // Rejected before CRIU runs (CRIU itself would hit a BUG() in RPC mode).
        expect(err.code).toBe('UNSUPPORTED');
        expect(err.message).toMatch(/dirty-memory tracking/);
        expect(err.hint).toMatch(/CONFIG_MEM_SOFT_DIRTY/);
        expect(existsSync(join(dir.path, 'nosd', 'inventory.img'))).toBe(false);
        expect(isAlive(proc.pid)).toBe(true);
      } finally {
        proc.kill('SIGKILL');
        await proc.exited;
      }
    },
  );
});
