/**
 * CRIU calls take an AbortSignal, as every long call of the SDK does: an
 * already-aborted signal makes nothing (no images dir, no CRIU), an abort
 * while CRIU works kills its worker and the call rejects with an AbortError;
 * a dump cancelled so leaves the tree running.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Criu, CriuError } from '@kc/criu';
import { spawn } from '@kc/native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterPath, isAlive, readCount, tempDir, waitFor } from './helpers.js';

const criu = new Criu();
const dir = tempDir('abort');
let counter: string;
beforeAll(() => {
  counter = counterPath(dir.path);
});
afterAll(() => dir.remove());

/** This process's CRIU children (CRIU rewrites its command line, "criu: dump --rpc ...", but its comm stays "criu"). */
function criuChildren(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const status = readFileSync(`/proc/${p}/status`, 'utf8');
        return /^Name:\s+criu$/m.test(status) && new RegExp(`^PPid:\\s+${process.pid}$`, 'm').test(status);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('CRIU calls and AbortSignal', () => {
  it('an already-aborted signal rejects with an AbortError before anything is made', async () => {
    const images = join(dir.path, 'never');
    const controller = new AbortController();
    controller.abort();
    const err = await criu.dump({ pid: process.pid, imagesDir: images, signal: controller.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(existsSync(images)).toBe(false);
    const restoreErr = await criu.restore({ imagesDir: images, signal: controller.signal }).catch((e: unknown) => e);
    expect((restoreErr as Error).name).toBe('AbortError');
  });

  it('a signal that is not an AbortSignal is refused with a typed error', async () => {
    const err = await criu.dump({ pid: process.pid, imagesDir: join(dir.path, 'bad'), signal: {} as AbortSignal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CriuError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'signal' });
  });

  it('an abort while CRIU dumps kills CRIU, rejects with an AbortError, and leaves the tree counting', async () => {
    const countFile = join(dir.path, 'count');
    const proc = spawn({ argv: [counter, countFile, '20'], namespaces: ['pid', 'mnt'], setsid: true, stdio: ['ignore', 'ignore', 'ignore'] });
    try {
      expect(await waitFor(() => readCount(countFile) >= 3)).toBe(true);
      const controller = new AbortController();
      let worker: number | undefined;
      // CRIU waits for the answer to its first notification: the abort comes while CRIU holds the call open.
      const err = await criu
        .dump({
          pid: proc.pid,
          imagesDir: join(dir.path, 'img'),
          leaveRunning: true,
          notify: () => {
            worker = criuChildren()[0];
            controller.abort();
            return true;
          },
          signal: controller.signal,
        })
        .catch((e: unknown) => e);
      expect((err as Error).name).toBe('AbortError');
      expect(worker).toBeGreaterThan(0);
      expect(isAlive(worker as number)).toBe(false);
      // The tree was not taken: it is alive and counts on.
      expect(isAlive(proc.pid)).toBe(true);
      const at = readCount(countFile);
      expect(await waitFor(() => readCount(countFile) > at)).toBe(true);
    } finally {
      proc.kill('SIGKILL');
      await proc.exited;
    }
  });
});
