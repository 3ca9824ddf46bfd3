/**
 * A group kc did not make stays where it is: Cgroup.create on a path that
 * exists in some hierarchies reports only the directories it made, removes
 * only those when it fails, and delete({ directories }) leaves the others.
 * Device defaults are enforced by the kernel (v1 devices.list).
 */
import { spawn as spawnHost } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cgroup, DEFAULT_DEVICE_RULES, withDefaultDeviceRules } from '@kc/cgroups';
import { afterAll, describe, expect, it } from 'vitest';
import { layout, leakedGroups, probe, testPath, waitFor } from './helpers.js';

afterAll(() => expect(leakedGroups()).toEqual([]));

const v1Dir = (controller: string) => layout.controllers.get(controller)?.mountPoint as string;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.runIf(probe.devicesV1 && probe.pids && layout.controllers.get('pids')?.version === 1)(
  'Cgroup.create on a group that exists in one hierarchy (v1 devices and pids controllers)',
  () => {
    it('lists only the directories it made, removes only those on failure and on delete, and keeps the host process', async () => {
      const parent = testPath('own');
      const leaf = `${parent}/leaf`;
      const pidsLeaf = join(v1Dir('pids'), leaf);
      const devicesParent = join(v1Dir('devices'), parent);
      const sleeper = spawnHost('sleep', ['1000'], { stdio: 'ignore' });
      const pid = sleeper.pid as number;
      try {
        // The "host's" group: a leaf in the pids hierarchy only, holding a process; and a parent that allows only the defaults.
        mkdirSync(join(v1Dir('pids'), parent));
        mkdirSync(pidsLeaf);
        writeFileSync(join(pidsLeaf, 'cgroup.procs'), String(pid));
        mkdirSync(devicesParent);
        writeFileSync(join(devicesParent, 'devices.deny'), 'a');
        for (const d of DEFAULT_DEVICE_RULES) writeFileSync(join(devicesParent, 'devices.allow'), `${d.type} ${d.major}:${d.minor} ${d.access}`);

        // Allowing everything below a restricted parent fails in the kernel (EPERM), after the mkdirs.
        expect(() => Cgroup.create(leaf, { resources: { devices: [{ allow: true, type: 'a', major: '*', minor: '*', access: 'rwm' }] } })).toThrow(
          expect.objectContaining({ code: 'EPERM' }),
        );
        expect(existsSync(pidsLeaf)).toBe(true);
        expect(readFileSync(join(pidsLeaf, 'cgroup.procs'), 'utf8').trim()).toBe(String(pid));
        expect(existsSync(join(devicesParent, 'leaf'))).toBe(false);
        expect(existsSync(devicesParent)).toBe(true); // existed: not removed with the failed leaf

        const cg = Cgroup.create(leaf, { resources: { devices: withDefaultDeviceRules([]) } });
        expect(cg.createdDirectories).not.toContain(pidsLeaf);
        expect(cg.createdDirectories).toContain(join(devicesParent, 'leaf'));
        expect(cg.createdDirectories.length).toBe(cg.directories.length - 1);
        // The kernel's list is the defaults, nothing more (deny-all first dropped the parent's state).
        const list = readFileSync(join(devicesParent, 'leaf', 'devices.list'), 'utf8')
          .trim()
          .split('\n')
          .sort();
        const want = DEFAULT_DEVICE_RULES.map((d) => `${d.type} ${d.major}:${d.minor} ${d.access}`).sort();
        expect(list).toEqual(want);

        await cg.delete({ kill: false, directories: cg.createdDirectories });
        for (const d of cg.createdDirectories) expect(existsSync(d)).toBe(false);
        expect(existsSync(pidsLeaf)).toBe(true);
        expect(alive(pid)).toBe(true);
        expect(readFileSync(join(pidsLeaf, 'cgroup.procs'), 'utf8').trim()).toBe(String(pid));
      } finally {
        sleeper.kill('SIGKILL');
        await waitFor(() => !alive(pid) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'));
        await waitFor(() => readFileSync(join(pidsLeaf, 'cgroup.procs'), 'utf8').trim() === '');
        // The second create made the parent in the other hierarchies: remove leaf and parent everywhere.
        for (const m of [...layout.v1.map((h) => h.mountPoint), ...(layout.unified ? [layout.unified.mountPoint] : [])]) {
          for (const d of [join(m, leaf), join(m, parent)]) {
            try {
              rmdirSync(d);
            } catch {
              /* not there */
            }
          }
        }
      }
    });
  },
);
