import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { KC, leftoverCgroups, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const VIEW = [
  'hostname',
  'echo ---mounts',
  'cut -d" " -f2,3 /proc/mounts | sort',
  'echo ---pid1',
  'tr "\\0" " " < /proc/1/cmdline; echo',
  'echo ---status',
  'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):" /proc/self/status',
  'echo ---limits',
  // v1 files on a hybrid host; on a unified one the container's cgroup namespace root holds the v2 files.
  'if [ -e /sys/fs/cgroup/cgroup.controllers ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max; else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us; fi',
  'echo ---dev',
  'ls /dev | tr "\\n" " "; echo',
  'echo ---ids',
  'id',
  'ulimit -n',
  'echo ---net',
  'ip link show lo | head -1 | cut -d" " -f2,3',
  'ls /sys/class/net | tr "\\n" " "; echo',
].join('; ');

const stateRoot = tempDir('kc-sbs-');
afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

describe.runIf(probe.root && probe.busybox && probe.runc)('the same bundle under runc and kc (needs root, busybox-static, runc)', () => {
  it('shows the same hostname, mounts, pid 1, caps, seccomp mode, cgroup limits and /dev from inside', () => {
    const { bundle, cleanup } = makeBundle(['sh', '-c', VIEW], (c) => {
      c.hostname = 'side-by-side';
      c.linux!.resources = { ...c.linux!.resources, memory: { limit: 96 * 1024 * 1024 }, pids: { limit: 33 }, cpu: { quota: 25000, period: 100000 } };
    });
    const runcId = uniqueId('runc');
    const kcId = uniqueId('kc');
    try {
      const runc = spawnSync('runc', ['--root', `${stateRoot}/runc`, 'run', '--bundle', bundle, runcId], { encoding: 'utf8', timeout: 30_000 });
      const kc = spawnSync(KC, ['--root', `${stateRoot}/kc`, 'run', '--bundle', bundle, kcId], { encoding: 'utf8', timeout: 30_000 });
      expect(runc.status, runc.stderr).toBe(0);
      expect(kc.status, kc.stderr).toBe(0);
      expect(kc.stdout).toContain('side-by-side');
      expect(kc.stdout).toMatch(/Seccomp:\s+2/);
      expect(kc.stdout).toMatch(/lo: <LOOPBACK,UP,LOWER_UP>/);
      expect(kc.stdout).toContain(String(96 * 1024 * 1024));
      // kc's mask step binds a clone of the host's /dev/null (devtmpfs) over masked files, runc the container's own (on the /dev tmpfs): same device, other filesystem name.
      const sameNull = (out: string) => out.replace(/^(\/(?:proc|sys)\/\S+) (?:devtmpfs|tmpfs)$/gm, '$1 null-device-or-tmpfs');
      expect(sameNull(kc.stdout)).toBe(sameNull(runc.stdout));
      expect(leftoverCgroups(kcId)).toEqual([]);
    } finally {
      spawnSync('runc', ['--root', `${stateRoot}/runc`, 'delete', '--force', runcId]);
      cleanup();
    }
  });
});
