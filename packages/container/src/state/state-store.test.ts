import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContainerError } from '../errors.js';
import type { ContainerRecord } from './container-record.js';
import { pidStartTime, sameProcessAlive, StateStore, validateId } from './state-store.js';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));
const store = () => {
  const r = mkdtempSync(join(tmpdir(), 'kc-state-'));
  roots.push(r);
  return new StateStore(join(r, 'run'));
};
const record = (id: string): ContainerRecord => ({
  ociVersion: '1.0.2',
  id,
  bundle: '/b',
  pid: 0,
  pidStartTime: 0,
  created: new Date(0).toISOString(),
  started: false,
  config: { ociVersion: '1.0.2' },
  cgroupDirs: {},
  rootfs: '/b/rootfs',
});

describe('StateStore', () => {
  it('saves, finds and lists containers by id, and removes them', () => {
    const s = store();
    s.reserve({ ...record('a1'), stage: 'reserved' })();
    expect(s.load('a1').stage).toBe('reserved');
    s.save(record('a1'));
    expect(s.load('a1').bundle).toBe('/b');
    expect(s.load('a1').stage).toBeUndefined();
    expect(s.list()).toEqual(['a1']);
    s.remove('a1');
    expect(s.list()).toEqual([]);
  });
  it('refuses a second container with the same id', () => {
    const s = store();
    s.reserve(record('dup'));
    expect(() => s.reserve(record('dup'))).toThrow(/already exists/);
    expect(s.list()).toEqual(['dup']);
  });
  it('reports an unknown id as NOT_FOUND', () => {
    expect(() => store().load('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
  it('rejects ids that are not safe names', () => {
    for (const id of ['../x', '', '.hidden', 'a/b']) expect(() => validateId(id)).toThrow(ContainerError);
    expect(() => validateId('ok-1.2_3')).not.toThrow();
  });
  it('serialises holders of the lock', async () => {
    const s = store();
    s.reserve(record('l'))();
    const order: string[] = [];
    await Promise.all([
      s.withLock('l', async () => {
        order.push('a+');
        await new Promise((r) => setTimeout(r, 30));
        order.push('a-');
      }),
      s.withLock('l', async () => {
        order.push('b+');
        order.push('b-');
      }),
    ]);
    expect(order.join()).toMatch(/^(a\+,a-,b\+,b-|b\+,b-,a\+,a-)$/);
  });
  it('sweeps the hidden reservation directories of dead processes, never of live ones', () => {
    const s = store();
    s.reserve(record('first'))();
    const child = spawnSync('sh', ['-c', 'echo $$ $(cut -d" " -f22 /proc/$$/stat)'], { encoding: 'utf8' }).stdout.trim().replace(' ', '.');
    const dead = join(s.root, `.reserving.${child}.aa`);
    const live = join(s.root, `.reserving.${process.pid}.${pidStartTime(process.pid)}.bb`);
    for (const d of [dead, live]) mkdirSync(d);
    writeFileSync(join(dead, 'state.json'), '{}');
    s.sweepReservations();
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(s.list()).toEqual(['first']);
  });
  it('tells the recorded process apart from a reused pid', () => {
    const t = pidStartTime(process.pid);
    expect(sameProcessAlive(process.pid, t)).toBe(true);
    expect(sameProcessAlive(process.pid, t + 1)).toBe(false);
  });
});
