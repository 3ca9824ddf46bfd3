import { type ChildProcess, execFileSync, spawn as spawnChild } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Criu, CriuError, NotifyKind, locateCriu } from '@kc/criu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterPath, isAlive, readCount, startDetached, tempDir, waitFor } from './helpers.js';

const criu = new Criu();
const dir = tempDir('rpc');
let counter: string;

beforeAll(() => {
  counter = counterPath(dir.path);
});
afterAll(() => dir.remove());

describe('criu swrk over a SOCK_SEQPACKET socketpair', () => {
  it('reports the same version as the criu CLI', async () => {
    const v = await criu.version();
    const cli = execFileSync(locateCriu(), ['--version'], { encoding: 'utf8' });
    expect(cli).toContain(`Version: ${v.text}`);
    expect(v.major).toBeGreaterThanOrEqual(4);
  });

  it('check passes like `criu check`', async () => {
    execFileSync(locateCriu(), ['check'], { stdio: 'ignore' });
    await expect(criu.check()).resolves.toBeUndefined();
  });

  it('feature check agrees with `criu check --feature`', async () => {
    const f = await criu.features();
    const cli = (name: string) => {
      try {
        execFileSync(locateCriu(), ['check', '--feature', name], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    };
    expect(f.memoryTracking).toBe(cli('mem_dirty_track'));
    expect(f.lazyPages).toBe(cli('uffd-noncoop'));
  });
});

describe('notifications', () => {
  it('delivers pre-dump and post-dump in order, and a handler can veto a dump', async () => {
    const countFile = join(dir.path, 'count-veto');
    const child = startDetached([counter, countFile, '20']);
    try {
      expect(await waitFor(() => readCount(countFile) >= 2)).toBe(true);
      const images = join(dir.path, 'veto');
      const seen: string[] = [];
      const err = await criu
        .dump({
          pid: child.pid as number,
          imagesDir: images,
          notify: {
            [NotifyKind.PreDump]: async () => {
              seen.push('pre-dump');
              await new Promise((r) => setTimeout(r, 10)); // CRIU waits for the answer
              return false;
            },
          },
        })
        .catch((e) => e);
      expect(err).toBeInstanceOf(CriuError);
      expect(err.code).toBe('VETOED');
      expect(err.message).toContain("'pre-dump'");
      expect(seen).toEqual(['pre-dump']);
      // The dump did not happen: no images, and the process still counts.
      expect(existsSync(join(images, 'inventory.img'))).toBe(false);
      const before = readCount(countFile);
      expect(await waitFor(() => readCount(countFile) > before)).toBe(true);

      const order: string[] = [];
      await criu.dump({
        pid: child.pid as number,
        imagesDir: join(dir.path, 'notified'),
        leaveRunning: true,
        notify: (n) => {
          order.push(n.kind);
        },
      });
      expect(order.indexOf('pre-dump')).toBeGreaterThanOrEqual(0);
      expect(order.indexOf('post-dump')).toBeGreaterThan(order.indexOf('pre-dump'));
      expect(isAlive(child.pid as number)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('bad input gives typed errors before CRIU runs', () => {
  it('a missing pid', async () => {
    const err = await criu.dump({ pid: 2 ** 22 + 17, imagesDir: join(dir.path, 'nopid') }).catch((e) => e);
    expect(err).toBeInstanceOf(CriuError);
    expect(err.code).toBe('ESRCH');
    expect(err.field).toBe('pid');
    expect(err.hint).toBeTruthy();
    expect(existsSync(join(dir.path, 'nopid'))).toBe(false);
  });

  it('an images dir on a read-only mount', async () => {
    const ro = join(dir.path, 'ro');
    mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', `kc-test-criu-ro`, ro]);
    try {
      const err = await criu.dump({ pid: process.pid, imagesDir: ro }).catch((e) => e);
      expect(err).toBeInstanceOf(CriuError);
      expect(err.code).toBe('EROFS');
      expect(err.field).toBe('imagesDir');
      expect(err.hint).toMatch(/writable/);
    } finally {
      execFileSync('umount', [ro]);
    }
  });

  it('an images dir that is a file, a restore without images, a bad log file name', async () => {
    const file = join(dir.path, 'a-file');
    writeFileSync(file, 'x');
    await expect(criu.dump({ pid: process.pid, imagesDir: file })).rejects.toMatchObject({ code: 'EEXIST' });
    const empty = join(dir.path, 'empty');
    mkdirSync(empty);
    await expect(criu.restore({ imagesDir: empty })).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'imagesDir' });
    await expect(criu.dump({ pid: process.pid, imagesDir: empty, logFile: '../x.log' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'logFile',
    });
    await expect(criu.dump({ pid: -1, imagesDir: empty })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'pid' });
    expect(readdirSync(empty)).toEqual([]);
  });

  it('criu missing', async () => {
    const missing = new Criu({ binary: join(dir.path, 'no-criu-here') });
    const err = await missing.version().catch((e) => e);
    expect(err).toBeInstanceOf(CriuError);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.hint).toMatch(/install-criu\.sh/);
  });
});

describe('criu service', () => {
  let service: ChildProcess | undefined;
  const socket = join(dir.path, 'criu-service.sock');

  afterAll(async () => {
    if (service && service.exitCode === null) {
      service.kill('SIGTERM');
      await new Promise((r) => service?.once('exit', r));
    }
  });

  it('answers version and dumps a process over a connected socket', async () => {
    const workDir = join(dir.path, 'service-work');
    mkdirSync(workDir, { recursive: true });
    service = spawnChild(locateCriu(), ['service', '--address', socket, '-o', 'service.log', '-W', workDir], { stdio: 'ignore' });
    expect(await waitFor(() => existsSync(socket))).toBe(true);
    const viaService = new Criu({ service: socket });
    expect((await viaService.version()).major).toBeGreaterThanOrEqual(4);

    const countFile = join(dir.path, 'count-service');
    const child = startDetached([counter, countFile, '20']);
    try {
      expect(await waitFor(() => readCount(countFile) >= 2)).toBe(true);
      const res = await viaService.dump({ pid: child.pid as number, imagesDir: join(dir.path, 'svc-img'), leaveRunning: true });
      expect(existsSync(join(res.imagesDir, 'inventory.img'))).toBe(true);
      expect(res.stats?.pagesWritten).toBeGreaterThan(0);
      await expect(viaService.restore({ imagesDir: res.imagesDir })).rejects.toMatchObject({ field: 'detached' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
