// The VM lane's own sanity check: run it with
//   bash scripts/vm/test.sh --mode unified -- scripts/vm/selftest.vm.test.ts
//   bash scripts/vm/test.sh --mode legacy -- scripts/vm/selftest.vm.test.ts
//   bash scripts/vm/test.sh --mode systemd -- scripts/vm/selftest.vm.test.ts
// It proves the guest is what the lane promises: Debian's 6.1 kernel and the
// cgroup layout that was asked for. Outside the guest (KC_VM_LANE unset) it
// has nothing to check, and says so.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';

const lane = process.env.KC_VM_LANE;
const mounts = () =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pre, post] = line.split(' - ');
      return { mountPoint: pre?.split(' ')[4] ?? '', fsType: post?.split(' ')[0] ?? '' };
    });

describe.runIf(lane !== undefined)(`kc VM lane guest (KC_VM_LANE=${lane ?? 'unset: not in the VM lane'})`, () => {
  it('runs the Debian 6.1 kernel', () => {
    expect(release()).toMatch(/^6\.1\./);
    expect(readFileSync('/proc/version', 'utf8')).toContain('Debian');
  });

  it('has the host root read-only under a writable overlay', () => {
    const root = mounts().find((m) => m.mountPoint === '/');
    expect(root?.fsType).toBe('overlay');
    expect(existsSync('/work/main/package.json') || existsSync(`${process.cwd()}/package.json`)).toBe(true);
  });

  it.runIf(lane === 'unified')('mounts cgroup2 alone with every controller enabled', () => {
    const cgroupMounts = mounts().filter((m) => m.fsType.startsWith('cgroup'));
    expect(cgroupMounts).toEqual([{ mountPoint: '/sys/fs/cgroup', fsType: 'cgroup2' }]);
    const controllers = readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').trim().split(' ');
    expect(controllers).toEqual(expect.arrayContaining(['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc']));
    const enabled = readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8').trim().split(' ');
    expect(enabled.sort()).toEqual([...controllers].sort());
    // One v2 line, and no v1 line that names a controller (a named v1
    // hierarchy a test mounted, e.g. for a release agent, may show up).
    const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
    expect(lines).toContain('0::/');
    expect(lines.filter((l) => /^\d+:[^:]*[a-z]/.test(l) && !/^\d+:name=[^,:]*:/.test(l))).toEqual([]);
  });

  it.runIf(lane === 'systemd')('runs systemd 252 as PID 1 of its namespace, with the system bus, on cgroup2 alone', () => {
    expect(readFileSync('/proc/1/comm', 'utf8').trim()).toBe('systemd');
    expect(statSync('/run/systemd/system').isDirectory()).toBe(true); // sd_booted(3)
    expect(statSync('/run/dbus/system_bus_socket').isSocket()).toBe(true);
    expect(execFileSync('systemctl', ['is-system-running'], { encoding: 'utf8' }).trim()).toBe('running');
    const version = execFileSync(
      'busctl',
      ['get-property', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'Version'],
      { encoding: 'utf8' },
    );
    expect(version).toMatch(/^s "252\./);
    expect(mounts().filter((m) => m.fsType.startsWith('cgroup'))).toEqual([{ mountPoint: '/sys/fs/cgroup', fsType: 'cgroup2' }]);
    expect(readFileSync('/proc/1/cgroup', 'utf8').trim()).toBe('0::/init.scope');
  });

  it.runIf(lane === 'legacy')('mounts the v1 hierarchies alone', () => {
    const cgroupMounts = mounts().filter((m) => m.fsType.startsWith('cgroup'));
    expect(cgroupMounts.some((m) => m.fsType === 'cgroup2')).toBe(false);
    expect(existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')).toBe(true);
    expect(existsSync('/sys/fs/cgroup/pids/pids.max')).toBe(false); // root has no pids.max on v1
    expect(existsSync('/sys/fs/cgroup/pids/cgroup.procs')).toBe(true);
    expect(existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')).toBe(true);
    expect(existsSync('/sys/fs/cgroup/cpuacct/cpuacct.usage')).toBe(true);
    expect(readFileSync('/proc/self/cgroup', 'utf8')).not.toMatch(/^0::/m);
  });
});
