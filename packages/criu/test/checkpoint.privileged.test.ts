import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from '@kc/native';
import { Criu, readInventory, readPstree } from '@kc/criu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterPath, isAlive, readCount, tempDir, waitFor } from './helpers.js';

const criu = new Criu();
const dir = tempDir('ckpt');
let counter: string;
// Pre-dumps (soft-dirty tracking) are in predump.privileged.test.ts, which also runs in the VM lane.

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
        expect(child?.kill('SIGKILL')).toBe(true);
        // wait() is `exited`, as KcProcess's: the same ExitStatus, with the kernel's rusage of the restored process.
        const exit = await child?.wait();
        expect(exit).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false });
        expect(exit).toEqual(await child?.exited);
        expect(exit?.maxRssBytes).toBeGreaterThan(0);
        expect(child?.kill('SIGKILL')).toBe(false);
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
