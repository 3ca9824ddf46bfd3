/**
 * `kc update` SIGKILLed at each of its stages (KC_TEST_CRASH_AT, see
 * src/internal/crash-point.ts): the container keeps running, its record
 * stays whole JSON (written atomically), the lock the dead kc left is broken
 * by the next command, a repeated update makes the kernel and the record
 * agree, and `kc delete -f` then leaves nothing (issue #16 item 2, in the
 * style of crash-consistency.privileged.test.ts).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cgroupLimits } from './cgroup-limits.js';
import { alive, kcAt, leftovers, NOTHING } from './crash-helpers.js';
import { makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const root = tempDir('kc-upd-crash-');
const marker = `7${String(process.pid).padStart(7, '0')}3`;
const bundle = makeBundle(['sh', '-c', `sleep ${marker}`]);
afterAll(() => {
  bundle.cleanup();
  rmSync(root, { recursive: true, force: true });
});

const kc = (args: string[]) => kcAt(undefined, ['--root', root, ...args]);
const recordPids = (id: string) => JSON.parse(readFileSync(join(root, id, 'state.json'), 'utf8')).config.linux.resources?.pids?.limit as number | undefined;

describe.runIf(probe.root && probe.busybox)('kc update killed at every stage (needs root, busybox-static)', () => {
  it.each([
    ['update:locked', 'max', undefined],
    ['update:written', '33', undefined],
    ['update:saved', '33', 33],
  ])('%s: the kernel holds pids.max=%s, the record %s; the next update and delete -f succeed', (stage, kernel, recorded) => {
    const id = uniqueId('uc');
    try {
      expect(kc(['run', '-d', '--bundle', bundle.bundle, id]).status).toBe(0);
      const pid = JSON.parse(kc(['state', id]).stdout).pid as number;
      const crash = kcAt(stage, ['--root', root, 'update', '--pids-limit', '33', id]);
      expect(crash.signal, `the crash point was reached (stderr: ${crash.stderr})`).toBe('SIGKILL');
      expect(alive(pid)).toBe(true);
      expect(cgroupLimits(pid)['pids.max']).toBe(kernel);
      expect(recordPids(id)).toBe(recorded);
      // The dead kc's lock is broken; the repeated update brings kernel and record together.
      const again = kc(['update', '--pids-limit', '34', id]);
      expect(again.status, again.stderr).toBe(0);
      expect(cgroupLimits(pid)['pids.max']).toBe('34');
      expect(recordPids(id)).toBe(34);
    } finally {
      const del = kc(['delete', '-f', id]);
      expect(del.status, del.stderr).toBe(0);
      expect(leftovers(id, root, [marker])).toEqual(NOTHING);
    }
  });
});
