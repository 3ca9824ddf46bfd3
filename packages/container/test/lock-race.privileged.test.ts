/**
 * Real kc processes racing on one container (issue #20, item 4): creates of
 * one id, then deletes and kills of it, all at once. The container lock
 * (src/state/lock.ts) holds across processes, so exactly one create wins,
 * every `delete -f` exits 0, nothing fails halfway, and nothing is left.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { leftovers, NOTHING } from './crash-helpers.js';
import { KC, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const root = tempDir('kc-race-');
const marker = `8${String(process.pid).padStart(7, '0')}3`;
const bundle = makeBundle(['sh', '-c', `sleep ${marker}`]);
afterAll(() => {
  bundle.cleanup();
  rmSync(root, { recursive: true, force: true });
});

let runs = 0;
/** Runs kc without waiting; resolves with its exit status and stderr (a file: a created container keeps kc's stderr open). */
function kcAsync(args: string[]): Promise<{ args: string[]; status: number | null; stderr: string }> {
  const file = join(root, `.stderr-${++runs}`);
  const fd = openSync(file, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(KC, ['--root', root, ...args], { stdio: ['ignore', 'ignore', fd] });
    closeSync(fd);
    child.on('error', reject);
    child.on('exit', (status) => {
      const stderr = readFileSync(file, 'utf8');
      rmSync(file);
      resolve({ args, status, stderr });
    });
  });
}

describe.runIf(probe.root && probe.busybox)('20 kc processes racing on one container (needs root, busybox-static)', () => {
  it('10 creates of one id: exactly one wins; then 10 delete -f and 10 kill at once: every delete exits 0 and nothing is left', async () => {
    const id = uniqueId('race');
    onTestFinished(() => {
      spawnSync(KC, ['--root', root, 'delete', '-f', id], { stdio: 'ignore' });
    });
    const creates = await Promise.all(Array.from({ length: 10 }, () => kcAsync(['create', '--bundle', bundle.bundle, id])));
    expect(creates.filter((r) => r.status === 0).length, creates.map((r) => r.stderr).join('')).toBe(1);
    for (const r of creates.filter((c) => c.status !== 0)) expect(r.stderr).toMatch(/already exists/);
    expect((await kcAsync(['start', id])).status).toBe(0);

    const racers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? kcAsync(['delete', '-f', id]) : kcAsync(['kill', id, 'KILL']))));
    for (const r of racers.filter((x) => x.args[0] === 'delete')) expect(r, r.stderr).toMatchObject({ status: 0, stderr: '' });
    // A kill that comes after the delete finds no container, or a stopped one: runc's errors too.
    for (const r of racers.filter((x) => x.args[0] === 'kill')) {
      if (r.status !== 0) expect(r.stderr).toMatch(/does not exist|is stopped/);
    }
    expect(leftovers(id, root, [marker])).toEqual(NOTHING);
  }, 120_000);
});
