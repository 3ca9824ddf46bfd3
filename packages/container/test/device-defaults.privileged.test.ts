/**
 * Issue #13 finding 3: a container without `linux.resources` still gets a
 * device cgroup (deny all, then runc's default allow-list), so with
 * CAP_MKNOD it can make any node but open only the default ones. runc, on
 * the same bundle, is the control.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { DEFAULT_DEVICE_RULES } from '@kc/cgroups';
import { afterAll, describe, expect, it } from 'vitest';
import { KC, leftoverCgroups, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const stateRoot = tempDir('kc-devdef-');
afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

/** The host's own block device and char devices root may open, and the default nodes. */
const DEVICES: [name: string, type: 'b' | 'c', major: number, minor: number][] = [
  ['vda', 'b', 254, 0],
  ['loop0', 'b', 7, 0],
  ['kvm', 'c', 10, 232],
  ['hwrng', 'c', 10, 183],
  ['kmsg', 'c', 1, 11],
  ['mem', 'c', 1, 1],
  ['null', 'c', 1, 3],
  ['zero', 'c', 1, 5],
  ['urandom', 'c', 1, 9],
  ['full', 'c', 1, 7],
  ['tty', 'c', 5, 0],
];
const BLOCKED = ['vda', 'loop0', 'kvm', 'hwrng', 'kmsg', 'mem'];

/** For each device: mknod a node under /dev (a tmpfs), open it with `head -c1`, print the result (the open's error text, or `ok`). */
const SCRIPT = [
  't() { n=$1; shift; mknod /dev/kc-$n "$@" 2>/dev/null || { echo "$n: mknod failed"; return; }; e=$(head -c1 /dev/kc-$n 2>&1 >/dev/null) && echo "$n: ok" || echo "$n: $(echo "$e" | sed "s/.*: //")"; }',
  ...DEVICES.map(([n, t, ma, mi]) => `t ${n} ${t} ${ma} ${mi}`),
].join('; ');

/** The bundle of the attack: no `linux.resources` at all, CAP_MKNOD granted (Docker's set, kc's default). */
function attackBundle() {
  return makeBundle(['sh', '-c', SCRIPT], (c) => {
    delete c.linux?.resources;
    expect(c.process?.capabilities?.effective).toContain('CAP_MKNOD');
  });
}

describe.runIf(probe.root && probe.busybox && probe.runc)('device cgroup without linux.resources, against runc (needs root, busybox-static, runc)', () => {
  it('blocks opening block and char devices made with mknod, and allows the default nodes, as runc does', () => {
    const { bundle, cleanup } = attackBundle();
    const runcId = uniqueId('runc-dev');
    const kcId = uniqueId('kc-dev');
    try {
      const runc = spawnSync('runc', ['--root', `${stateRoot}/runc`, 'run', '--bundle', bundle, runcId], { encoding: 'utf8', timeout: 30_000 });
      const kc = spawnSync(KC, ['--root', `${stateRoot}/kc`, 'run', '--bundle', bundle, kcId], { encoding: 'utf8', timeout: 30_000 });
      expect(runc.status, runc.stderr).toBe(0);
      expect(kc.status, kc.stderr).toBe(0);
      const lines = (out: string) =>
        Object.fromEntries(
          out
            .trim()
            .split('\n')
            .map((l) => l.split(': ') as [string, string]),
        );
      const r = lines(runc.stdout);
      const k = lines(kc.stdout);
      // The control: runc blocks each one (else the suite, not kc, is wrong).
      for (const n of BLOCKED) expect(r[n], `runc ${n}`).toBe('Operation not permitted');
      for (const n of BLOCKED) expect(k[n], `kc ${n}`).toBe('Operation not permitted');
      for (const n of ['null', 'zero', 'urandom', 'full']) {
        expect(r[n], `runc ${n}`).toBe('ok');
        expect(k[n], `kc ${n}`).toBe('ok');
      }
      // No controlling terminal in either: /dev/tty opens past the device cgroup and fails in the tty layer, not with EPERM.
      expect(r.tty).toBe('No such device or address');
      expect(k.tty).toBe(r.tty);
      expect(k).toEqual(r);
      expect(leftoverCgroups(kcId)).toEqual([]);
    } finally {
      spawnSync('runc', ['--root', `${stateRoot}/runc`, 'delete', '--force', runcId]);
      spawnSync(KC, ['--root', `${stateRoot}/kc`, 'delete', '--force', kcId]);
      cleanup();
    }
  });

  it.runIf(existsDevicesV1())("writes deny-all then runc's default list to the container's v1 devices.list, whatever the config says", () => {
    const { bundle, cleanup } = makeBundle(['sleep', '30'], (c) => {
      delete c.linux?.resources;
    });
    const id = uniqueId('kc-devlist');
    try {
      expect(spawnSync(KC, ['--root', `${stateRoot}/kc`, 'create', '--bundle', bundle, id], { stdio: 'ignore', timeout: 30_000 }).status).toBe(0);
      const list = readFileSync(`/sys/fs/cgroup/devices/kc/${id}/devices.list`, 'utf8').trim().split('\n').sort();
      expect(list).toEqual(DEFAULT_DEVICE_RULES.map((d) => `${d.type} ${d.major}:${d.minor} ${d.access}`).sort());
    } finally {
      spawnSync(KC, ['--root', `${stateRoot}/kc`, 'delete', '--force', id]);
      cleanup();
    }
    expect(leftoverCgroups(id)).toEqual([]);
  });
});

/** A v1 devices hierarchy at /sys/fs/cgroup/devices (legacy and hybrid hosts). */
function existsDevicesV1(): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').includes(' /sys/fs/cgroup/devices ');
  } catch {
    return false;
  }
}
