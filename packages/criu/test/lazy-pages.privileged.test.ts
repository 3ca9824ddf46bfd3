import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type KcProcess, spawn } from '@kc/native';
import { Criu, CriuError } from '@kc/criu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NetnsPair, counterPath, createNetnsPair, isAlive, lazyPageServerWorks, readCount, runId, tempDir, waitFor } from './helpers.js';

// Post-copy (lazy) migration between two network namespaces standing in for
// two hosts: "source" a (10.231.7.1) and "destination" b. The counter runs in
// its own pid namespace, so its restore in b does not collide with the
// source's pid (a lazy dump keeps the source frozen until every page moved).

const criu = new Criu();
// Probed before the tests are collected, so skips name the missing kernel feature.
const features = await criu.features();
const dir = tempDir('lazy');
let net: NetnsPair;
let inA: Criu;
let inB: Criu;
const procs: KcProcess[] = [];
const lazyPorts: number[] = [];
const pending: Promise<unknown>[] = [];
const MIB = 4;

beforeAll(() => {
  net = createNetnsPair(runId);
  inA = new Criu({ wrapper: ['nsenter', `--net=/run/netns/${net.a}`] });
  inB = new Criu({ wrapper: ['nsenter', `--net=/run/netns/${net.b}`] });
});

afterAll(async () => {
  try {
    // A lazy dump that nobody fetched from blocks in accept() and keeps its
    // (ptrace-frozen) tree from being reaped: one empty connection ends it.
    for (const port of lazyPorts) {
      spawnSync('nsenter', [`--net=/run/netns/${net.a}`, 'python3', '-c', `import socket; socket.create_connection(('${net.addrA}', ${port}), 2).close()`]);
    }
    await Promise.allSettled(pending);
    for (const p of procs) {
      p.kill('SIGKILL');
      await p.exited;
    }
  } finally {
    net.remove();
    dir.remove();
  }
});

/** A counter with MIB MiB of touched memory, in netns a and a pid namespace of its own. */
async function startCounter(tag: string): Promise<{ proc: KcProcess; countFile: string }> {
  const countFile = join(dir.path, `count-${tag}`);
  const proc = spawn({
    argv: [counterPath(dir.path), countFile, '20', String(MIB)],
    namespaces: ['pid'],
    join: [{ kind: 'net', path: `/run/netns/${net.a}` }],
    setsid: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  procs.push(proc);
  expect(await waitFor(() => readCount(countFile) >= 3)).toBe(true);
  return { proc, countFile };
}

function imageBytes(dir: string, prefix: string): number {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

function copyImages(from: string, to: string, keep: (name: string) => boolean): void {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) if (f.endsWith('.img') && keep(f)) copyFileSync(join(from, f), join(to, f));
}

describe.runIf(features.lazyPages && lazyPageServerWorks())(
  'lazy pages between two network namespaces (needs userfaultfd, CONFIG_USERFAULTFD; and CAP_SYS_RESOURCE or fs.pipe-max-size >= 3354624 for CRIU 4.1.1 page-server pipes)',
  () => {
    it('post-copy: a lazy dump in a serves the memory; b restores at once and its lazy-pages daemon fetches the pages; the counter continues', async () => {
      const { proc, countFile } = await startCounter('postcopy');
      const src = join(dir.path, 'postcopy-src');
      const dst = join(dir.path, 'postcopy-dst');
      const port = 27101;
      let ready!: () => void;
      const serving = new Promise<void>((r) => {
        ready = r;
      });
      // The dump resolves only after the daemon fetched every page.
      const dumping = inA.dump({
        pid: proc.pid,
        imagesDir: src,
        lazyPages: true,
        pageServer: { address: net.addrA, port },
        notify: {
          // Answer at once: CRIU serves the pages only after this answer.
          'status-ready': () => {
            ready();
            return true;
          },
        },
      });
      lazyPorts.push(port);
      pending.push(dumping);
      dumping.catch(() => ready());
      await serving;
      const atDump = readCount(countFile);
      // The source is frozen, not dead, while its pages wait to be fetched: CRIU holds it in a
      // ptrace stop (state t in /proc/PID/stat), so its counter cannot move; no wall-clock wait.
      expect(isAlive(proc.pid)).toBe(true);
      const state = () => {
        const stat = readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2)[0];
      };
      expect(await waitFor(() => state() === 't')).toBe(true);
      expect(readCount(countFile)).toBe(atDump);

      copyImages(src, dst, () => true);
      const daemon = await inB.lazyPages({ imagesDir: dst, pageServer: { address: net.addrA, port }, logLevel: 4 });
      try {
        expect(existsSync(daemon.socketPath)).toBe(true);
        const restored = await inB.restore({ imagesDir: dst, lazyPages: true });
        try {
          expect(statSync(`/proc/${restored.pid}/ns/net`).ino).toBe(statSync(`/run/netns/${net.b}`).ino);
          expect(await waitFor(() => readCount(countFile) >= atDump + 5, 20_000)).toBe(true);
          await daemon.wait();
          await dumping;
          // The touched MiBs were left for the daemon, not written to the images
          // (CRIU's stats do not tell: its lazy page server resets them).
          expect(imageBytes(src, 'pages-')).toBeLessThan(MIB << 20);
          // Only then the source is killed.
          expect((await proc.exited).signal).toBe('SIGKILL');
          // Still counting on from the dumped value with all its pages in place.
          const now = readCount(countFile);
          expect(await waitFor(() => readCount(countFile) > now)).toBe(true);
        } finally {
          restored.process?.kill('SIGKILL');
          await restored.process?.exited;
        }
        expect(isAlive(restored.pid)).toBe(false);
      } finally {
        await daemon.close();
      }
      expect(existsSync(daemon.socketPath)).toBe(false);
    });

    it('remote images: a lazy page server in a serves a finished dump; the lazy-pages daemon in b fetches from it; the counter continues', async () => {
      const { proc, countFile } = await startCounter('remote');
      const src = join(dir.path, 'remote-src');
      const dst = join(dir.path, 'remote-dst');
      const port = 27102;
      const dump = await inA.dump({ pid: proc.pid, imagesDir: src });
      expect((await proc.exited).signal).toBe('SIGKILL');
      const atDump = readCount(countFile);
      expect(dump.stats?.pagesWritten).toBeGreaterThanOrEqual(MIB * 256);

      const ps = await inA.pageServer({ imagesDir: src, port, lazyPages: true, logFile: 'lazy-ps.log' });
      expect(ps.port).toBe(port);
      // The images travel; the lazy pages among them are fetched from a's page server,
      // not read from the copy (CRIU reads only the non-lazy ones, stacks, from pages-*.img).
      copyImages(src, dst, () => true);
      await using daemon = await inB.lazyPages({ imagesDir: dst, pageServer: { address: net.addrA, port } });
      const restored = await inB.restore({ imagesDir: dst, lazyPages: true });
      try {
        expect(await waitFor(() => readCount(countFile) >= atDump + 5, 20_000)).toBe(true);
        await daemon.wait();
        expect(readCount(countFile)).toBeGreaterThan(atDump);
      } finally {
        restored.process?.kill('SIGKILL');
        await restored.process?.exited;
      }
    });
  },
);

describe('lazy pages: refused before CRIU runs', () => {
  it('restore({ lazyPages }) without a daemon is NOT_FOUND naming the socket; a lazy dump needs pageServer', async () => {
    const { proc } = await startCounter('nodaemon');
    const images = join(dir.path, 'nodaemon');
    await inA.dump({ pid: proc.pid, imagesDir: images });
    await proc.exited;
    const err = await criu.restore({ imagesDir: images, lazyPages: true }).catch((e) => e);
    expect(err).toBeInstanceOf(CriuError);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.path).toBe(join(images, 'lazy-pages.socket'));
    expect(err.hint).toMatch(/lazyPages/);

    const bad = await criu.dump({ pid: process.pid, imagesDir: join(dir.path, 'x'), lazyPages: true }).catch((e) => e);
    expect(bad.code).toBe('INVALID_ARGUMENT');
    expect(bad.field).toBe('pageServer');
    expect(existsSync(join(dir.path, 'x'))).toBe(false);
  });
});
