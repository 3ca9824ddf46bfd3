import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MS, SPAWN_STEPS, SpawnError, spawn, type ProcessSpec } from '@kc/native';
import { busyboxRootfs } from '../../bench/lib/peers.js';
import { childPids, openFds, run, settle } from './helpers.js';

// One instruction: return SECCOMP_RET_ALLOW (BPF_RET | BPF_K).
const allowAll = Buffer.from([0x06, 0, 0, 0, 0x00, 0x00, 0xff, 0x7f]);
const v1Pids = existsSync('/sys/fs/cgroup/pids/cgroup.procs') ? '/sys/fs/cgroup/pids' : undefined;
const v2 = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find((d) => existsSync(`${d}/cgroup.controllers`));

let rootfs = '';
let cgroupDir = '';
/** The host's mounts by content (not a count: one mount replaced by another keeps the count), without mount ids (reused). */
const mountsOfHost = () =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').slice(2).join(' '))
    .sort();

/** A spec that runs every step of the pipeline. */
function fullSpec(): ProcessSpec {
  return {
    argv: ['/bin/sh', '-c', 'echo ok'],
    env: { PATH: '/bin' },
    namespaces: ['user', 'mnt', 'pid', 'uts', 'ipc', 'net', 'cgroup', 'time'],
    uidMap: [{ containerId: 0, hostId: 0, size: 65536 }],
    gidMap: [{ containerId: 0, hostId: 0, size: 65536 }],
    setgroups: 'allow',
    timeOffsets: { boottime: 10 },
    hostname: 'kc-fault',
    domainname: 'kc-fault',
    cgroup: { procsFiles: [`${cgroupDir}/cgroup.procs`] },
    mounts: [
      { kind: 'rootfs', path: rootfs },
      { kind: 'mount', source: 'proc', target: '/proc', fstype: 'proc', flags: MS.NOSUID | MS.NODEV | MS.NOEXEC },
      { kind: 'mount', source: 'tmpfs', target: '/tmp', fstype: 'tmpfs', create: 'dir' },
      { kind: 'pivot' },
      { kind: 'mask', path: '/proc/kcore' },
    ],
    sysctl: { 'net.ipv4.ip_forward': '0' },
    rlimits: [{ resource: 'nofile', soft: 512, hard: 1024 }],
    oomScoreAdj: 100,
    user: { uid: 1000, gid: 1000, groups: [1000] },
    capabilities: { bounding: 1n << 10n, effective: 1n << 10n, permitted: 1n << 10n, inheritable: 1n << 10n, ambient: 1n << 10n },
    noNewPrivileges: true,
    seccomp: { filter: allowAll },
    cwd: '/',
    setsid: true,
    parentDeathSignal: 'SIGKILL',
  };
}

describe.runIf(v1Pids ?? v2)('fault injection: every step of the spawn pipeline (cgroup pids or cgroup2 mounted)', () => {
  beforeAll(() => {
    rootfs = busyboxRootfs();
    cgroupDir = `${v1Pids ?? v2}/kc-test-fault-${process.pid}`;
    mkdirSync(cgroupDir);
  });
  afterAll(() => {
    rmdirSync(cgroupDir);
    rmSync(rootfs, { recursive: true, force: true });
    delete process.env.KC_FAULT_STEP;
  });

  it('the full spec runs when nothing is injected', async () => {
    const r = await run(spawn(fullSpec()));
    expect(r.stdout.trim()).toBe('ok');
    expect(r.exitCode).toBe(0);
  });

  // unshare and pid_fork run only when joining namespaces (the second spec); ctty needs a terminal.
  const reachable = SPAWN_STEPS.filter((s) => s !== 'ctty');
  it.each(reachable)('a failure at %s names the step and leaves nothing behind', async (step) => {
    await settle();
    const fds = openFds();
    const joining = step === 'unshare' || step === 'pid_fork';
    const sleeper = joining ? spawn({ argv: ['sleep', '30'], namespaces: ['net'], stdio: ['ignore', 'ignore', 'ignore'] }) : undefined;
    const mounts = mountsOfHost();
    process.env.KC_FAULT_STEP = step;
    try {
      let error: unknown;
      try {
        spawn(sleeper ? { argv: ['true'], join: [{ kind: 'net', path: `/proc/${sleeper.pid}/ns/net` }], namespaces: ['pid', 'uts'] } : fullSpec());
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SpawnError);
      expect((error as SpawnError).step).toBe(step);
      expect((error as SpawnError).code).toBe('ECANCELED');
    } finally {
      delete process.env.KC_FAULT_STEP;
      if (sleeper) await sleeper[Symbol.asyncDispose]();
    }
    await settle();
    expect(openFds()).toBe(fds);
    expect(childPids()).toEqual([]);
    expect(readFileSync(`${cgroupDir}/cgroup.procs`, 'utf8')).toBe('');
    expect(mountsOfHost()).toEqual(mounts);
  });
});
