import { mkdtempSync, rmSync } from 'node:fs';
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
    s.reserve('a1');
    s.save(record('a1'));
    expect(s.load('a1').bundle).toBe('/b');
    expect(s.list()).toEqual(['a1']);
    s.remove('a1');
    expect(s.list()).toEqual([]);
  });
  it('refuses a second container with the same id', () => {
    const s = store();
    s.reserve('dup');
    expect(() => s.reserve('dup')).toThrow(/already exists/);
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
    s.reserve('l');
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
  it('tells the recorded process apart from a reused pid', () => {
    const t = pidStartTime(process.pid);
    expect(sameProcessAlive(process.pid, t)).toBe(true);
    expect(sameProcessAlive(process.pid, t + 1)).toBe(false);
  });
});
