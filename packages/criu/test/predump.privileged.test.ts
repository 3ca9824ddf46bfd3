import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from '@kc/native';
import { Criu, CriuError, readDumpStats } from '@kc/criu';
import { afterAll, describe, expect, it } from 'vitest';
import { counterPath, isAlive, readCount, tempDir, waitFor } from './helpers.js';

// Iterative migration needs soft-dirty page bits (CONFIG_MEM_SOFT_DIRTY). The
// host kernel here lacks them; the VM lane's Debian 6.1 kernel has them, so
// this file also runs there (scripts/test.sh). It stays small on purpose: the
// guest is software-emulated. No mount or pid namespace either: the guest's
// 9p mounts are ones CRIU cannot dump ("FS mnt ./run/kc-vm ... unsupported").

const criu = new Criu();
const dir = tempDir('predump');
// Probed before the tests are collected, so skips name the missing kernel feature.
const features = await criu.features();
const MIB = 8;
const PAGES = (MIB << 20) / 4096;

afterAll(() => dir.remove());

describe('iterative migration: pre-dumps then a dump', () => {
  it.runIf(features.memoryTracking)(
    'two pre-dumps then a dump write fewer pages in each later pass, and the chain restores (needs soft-dirty memory tracking, CONFIG_MEM_SOFT_DIRTY)',
    async () => {
      const countFile = join(dir.path, 'count-iter');
      const proc = spawn({ argv: [counterPath(dir.path), countFile, '20', String(MIB)], setsid: true, stdio: ['ignore', 'ignore', 'ignore'] });
      try {
        expect(await waitFor(() => readCount(countFile) >= 2, 20_000)).toBe(true);
        const base = join(dir.path, 'iter');
        const one = await criu.preDump({ pid: proc.pid, imagesDir: join(base, '1') });
        const two = await criu.preDump({ pid: proc.pid, imagesDir: join(base, '2'), parentImages: '../1' });
        const last = await criu.dump({ pid: proc.pid, imagesDir: join(base, '3'), parentImages: '../2', trackMemory: true });
        expect((await proc.exited).signal).toBe('SIGKILL');
        const atDump = readCount(countFile);
        const written = [one, two, last].map((r) => r.stats?.pagesWritten ?? Number.NaN) as [number, number, number];
        // The first pass copies all of the touched memory; later passes only what was dirtied since.
        expect(written[0]).toBeGreaterThan(PAGES * 0.9);
        expect(written[1]).toBeLessThan(written[0]);
        expect(written[2]).toBeLessThan(written[0]);
        expect(readDumpStats(join(base, '3')).pagesSkippedParent).toBeGreaterThan(0);

        // The final images hold only the last pass's pages; the rest come from the parents.
        const restored = await criu.restore({ imagesDir: join(base, '3') });
        try {
          expect(await waitFor(() => readCount(countFile) >= atDump + 3, 20_000)).toBe(true);
          expect(restored.stats?.pagesRestored).toBeGreaterThan(PAGES * 0.9);
        } finally {
          restored.process?.kill('SIGKILL');
          await restored.process?.exited;
        }
        expect(isAlive(restored.pid)).toBe(false);
      } finally {
        proc.kill('SIGKILL');
      }
    },
    120_000,
  );

  it.runIf(!features.memoryTracking)('reports a typed error naming memory tracking when the kernel lacks soft-dirty bits (CONFIG_MEM_SOFT_DIRTY)', async () => {
    const countFile = join(dir.path, 'count-nosd');
    const proc = spawn({ argv: [counterPath(dir.path), countFile, '20'], setsid: true, stdio: ['ignore', 'ignore', 'ignore'] });
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
  });
});
