/**
 * A record torn by a machine crash (write-ahead stage records are renamed into
 * place but not fsync'd; see state/state-store.ts `durableRecord`): every
 * command names it as unreadable and says what to do, and `delete --force`
 * removes it, exiting 0.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kc, probe, tempDir } from './helpers.js';

const root = tempDir('kc-torn-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.runIf(probe.root)('a torn state record (needs root)', () => {
  it('state and delete name it unreadable with the fix; delete --force removes it and exits 0', () => {
    const id = 'torn-1';
    mkdirSync(join(root, id));
    writeFileSync(join(root, id, 'state.json'), '{"stage":"spawn');
    const state = kc(['--root', root, 'state', id]);
    expect(state.status).toBe(1);
    expect(state.stderr.trim().split('\n')).toEqual([expect.stringMatching(/record of container "torn-1" is unreadable.*kc delete --force torn-1/)]);
    expect(kc(['--root', root, 'delete', id]).status).toBe(1);
    expect(existsSync(join(root, id))).toBe(true);
    expect(kc(['--root', root, 'delete', '--force', id])).toMatchObject({ status: 0, stderr: '' });
    expect(existsSync(join(root, id))).toBe(false);
  });
});
