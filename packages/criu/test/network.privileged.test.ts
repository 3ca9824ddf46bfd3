import { type ChildProcess, spawn as spawnChild } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Criu } from '@kc/criu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NetnsPair, counterPath, createNetnsPair, fixtures, isAlive, readCount, runId, tempDir, waitFor } from './helpers.js';

const dir = tempDir('tcp');
let net: NetnsPair;
const children: ChildProcess[] = [];

beforeAll(() => {
  net = createNetnsPair(runId);
});

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    }
  }
  net.remove();
  dir.remove();
});

/** Runs argv inside netns `ns` (nsenter --net keeps our mount namespace, so CRIU sees one). */
function inNetns(ns: string, argv: string[]): ChildProcess {
  const c = spawnChild('nsenter', [`--net=/run/netns/${ns}`, ...argv], { detached: true, stdio: 'ignore' });
  children.push(c);
  return c;
}

describe('tcp-established between two network namespaces', () => {
  it('an established connection survives dump, kill and restore of the client', async () => {
    const serverLog = join(dir.path, 'server.log');
    const clientState = join(dir.path, 'client.state');
    const port = '7077';
    inNetns(net.a, ['/usr/bin/python3', join(fixtures, 'tcp-server.py'), net.addrA, port, serverLog]);
    const log = () => {
      try {
        return readFileSync(serverLog, 'utf8');
      } catch {
        return '';
      }
    };
    expect(await waitFor(() => log().includes('listening'))).toBe(true);
    const client = inNetns(net.b, ['/usr/bin/python3', join(fixtures, 'tcp-client.py'), net.addrA, port, clientState]);
    expect(await waitFor(() => readCount(clientState) >= 5)).toBe(true);

    // CRIU runs in the client's network namespace, where the socket lives.
    const criu = new Criu({ wrapper: ['nsenter', `--net=/run/netns/${net.b}`] });
    const images = join(dir.path, 'img');
    const clientExit = new Promise((r) => client.once('exit', r));
    await criu.dump({ pid: client.pid as number, imagesDir: images, tcpEstablished: true, shellJob: true });
    await clientExit;
    const atDump = readCount(clientState);
    // While the client is gone the server sees no traffic and no close.
    await new Promise((r) => setTimeout(r, 200));
    expect(log()).not.toContain('closed');

    const restored = await criu.restore({ imagesDir: images, tcpEstablished: true, shellJob: true });
    try {
      expect(await waitFor(() => readCount(clientState) >= atDump + 5)).toBe(true);
      // One accept only: the old connection carried on; the counter continued on it.
      const lines = log().split('\n');
      expect(lines.filter((l) => l.startsWith('accept'))).toEqual(['accept 1']);
      expect(log()).not.toContain('closed');
      expect(lines).toContain(`conn 1 got ${atDump + 1}`);
    } finally {
      restored.process?.kill('SIGKILL');
      await restored.process?.exited;
    }
    expect(isAlive(restored.pid)).toBe(false);
  });
});

describe('migration between two network namespaces through a page server', () => {
  it('memory travels to a page server in namespace a; the tree is restored there and counts on', async () => {
    const countFile = join(dir.path, 'count-migrate');
    const src = join(dir.path, 'src');
    const dst = join(dir.path, 'dst');
    mkdirSync(src);
    mkdirSync(dst);
    const inA = new Criu({ wrapper: ['nsenter', `--net=/run/netns/${net.a}`] });
    const inB = new Criu({ wrapper: ['nsenter', `--net=/run/netns/${net.b}`] });
    const counter = counterPath(dir.path);
    const proc = inNetns(net.b, [counter, countFile, '20', '4']);
    const procExit = new Promise((r) => proc.once('exit', r));
    expect(await waitFor(() => readCount(countFile) >= 3)).toBe(true);

    // "Destination host": a page server listening on a's address.
    const ps = await inA.pageServer({ imagesDir: dst, address: net.addrA, port: 0 });
    expect(ps.port).toBeGreaterThan(0);
    // "Source host": dump in b, memory sent over the veth to a.
    const dump = await inB.dump({ pid: proc.pid as number, imagesDir: src, pageServer: { address: net.addrA, port: ps.port } });
    await procExit;
    const atDump = readCount(countFile);
    expect(dump.stats?.pagesWritten).toBeGreaterThanOrEqual(4 * 256);
    expect(readdirSync(src).some((f) => f.startsWith('pages-'))).toBe(false);
    expect(readdirSync(dst).some((f) => f.startsWith('pages-'))).toBe(true);

    // Ship the rest of the images (everything but the memory) and restore in a.
    for (const f of readdirSync(src)) if (f.endsWith('.img')) copyFileSync(join(src, f), join(dst, f));
    const restored = await inA.restore({ imagesDir: dst });
    try {
      expect(statSync(`/proc/${restored.pid}/ns/net`).ino).toBe(statSync(`/run/netns/${net.a}`).ino);
      expect(await waitFor(() => readCount(countFile) >= atDump + 5)).toBe(true);
      expect(readCount(countFile)).toBeGreaterThan(atDump);
    } finally {
      restored.process?.kill('SIGKILL');
      await restored.process?.exited;
    }
  });
});
