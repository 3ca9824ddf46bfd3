import { execFileSync, spawn as nodeSpawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Capabilities, DOCKER_DEFAULT_CAPS, toSpawnCapabilities } from '@kc/caps';
import { Cgroup } from '@kc/cgroups';
import { buildBusyboxRootfs } from '@kc/container';
import { type ProcessSpec, spawn } from '@kc/native';
import { compile, kcDefaultPolicy, toSpawnSeccomp } from '@kc/seccomp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, tool } from '../test-support/tools.js';

// Escape classes from runc's and crun's security records, each as an attempt
// that must stay blocked. The container-level suite (symlinked mount
// destinations through config.json, the kc-init /proc/self/exe memfd, host fd
// and cwd leaks, masked and read-only paths) is in
// packages/container/test/escape.privileged.test.ts; the pre-pivot symlink
// case without pivot is in packages/namespaces/test/rootfs-escape.privileged.test.ts.
// These are the spawn-level counterparts and the ones neither covers.

const probe = {
  root: root(),
  gcc: tool('gcc'),
  busybox: tool('busybox'),
};
const id = `kc-rel-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const dir = mkdtempSync(join(tmpdir(), `${id}-`));
const probeBin = join(dir, 'probe');
const suidBin = join(dir, 'probe-suid');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  chmodSync(dir, 0o755); // uid 65534 must reach the binaries
  execFileSync('gcc', ['-O1', '-static', '-o', probeBin, join(import.meta.dirname, 'fixtures/probe.c')]);
  copyFileSync(probeBin, suidBin);
  chmodSync(suidBin, 0o4755); // setuid root (the test runs as root, so it owns the copy)
});

async function text(s: Readable | null): Promise<string> {
  let out = '';
  if (s) for await (const c of s) out += c;
  return out;
}
async function run(spec: ProcessSpec): Promise<{ out: string; err: string; code: number | null }> {
  const p = spawn({ stdio: ['ignore', 'pipe', 'pipe'], ...spec });
  const [out, err, st] = await Promise.all([text(p.stdout), text(p.stderr), p.exited]);
  return { out: out.trim(), err: err.trim(), code: st.exitCode };
}
/** Starts a child that waits on stdin, lets `look` inspect it from outside, then ends it. */
async function holding<T>(spec: ProcessSpec, look: (pid: number) => T): Promise<T> {
  const p = spawn({ stdio: ['pipe', 'pipe', 'ignore'], ...spec, argv: ['/bin/busybox', 'sh', '-c', 'echo ready; read x'] });
  try {
    const it = p.stdout![Symbol.asyncIterator]();
    await it.next(); // "ready": setup (mounts, fds) is done
    return look(p.pid);
  } finally {
    p.stdin!.end();
    await p.exited;
  }
}
const dockerCaps = () =>
  toSpawnCapabilities(new Capabilities({ bounding: DOCKER_DEFAULT_CAPS, effective: DOCKER_DEFAULT_CAPS, permitted: DOCKER_DEFAULT_CAPS }));
const kcSeccomp = () => toSpawnSeccomp(compile(kcDefaultPolicy()));

describe.runIf(probe.root && probe.gcc && probe.busybox)('escapes stay blocked (needs root, gcc and busybox-static)', () => {
  it('a setuid-root binary gives euid 0 without no_new_privs, and nothing with it', async () => {
    const nobody = { uid: 65534, gid: 65534, groups: [] };
    const without = await run({ argv: [suidBin, 'ids'], user: nobody });
    const withNnp = await run({ argv: [suidBin, 'ids'], user: nobody, noNewPrivileges: true });
    expect(without.out).toBe('65534 0'); // the control: the setuid bit works on this mount
    expect(withNnp.out).toBe('65534 65534');
  });

  it('a child with the default capability set and kc seccomp profile cannot ptrace a host process', async () => {
    const host = nodeSpawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      // Control: a child keeping every capability can attach (so the block below is the restriction, not the host).
      const control = await run({ argv: [probeBin, 'ptrace', String(host.pid)] });
      expect(control.out).toBe('ok');
      const r = await run({ argv: [probeBin, 'ptrace', String(host.pid)], capabilities: dockerCaps(), noNewPrivileges: true, seccomp: kcSeccomp() });
      expect(['EPERM', 'EACCES']).toContain(r.out);
      const nobody = await run({
        argv: [probeBin, 'ptrace', String(host.pid)],
        user: { uid: 65534, gid: 65534, groups: [] },
        noNewPrivileges: true,
        seccomp: kcSeccomp(),
      });
      expect(['EPERM', 'EACCES']).toContain(nobody.out);
    } finally {
      host.kill('SIGKILL');
    }
  });

  it("a child in its own cgroup and mount namespace cannot change its test cgroup's limits or mount a fresh hierarchy", async () => {
    await using cg = Cgroup.create(`${id}-cg`, { resources: { pids: { max: 64 } } });
    await using inner = cg.createChild('inner');
    const pidsDir = cg.directories.find((d) => existsSync(join(d, 'pids.max')));
    expect(pidsDir).toBeDefined();
    const pidsMax = join(pidsDir!, 'pids.max');
    const script = `cat /proc/self/cgroup | grep -c ':/$'; echo 1 > ${pidsMax} && echo WROTE; mkdir -p /tmp/${id}-m && mount -t cgroup -o pids none /tmp/${id}-m 2>/dev/null && echo MOUNTED; echo done`;
    const r = await run({
      argv: ['/bin/busybox', 'sh', '-c', script],
      namespaces: ['cgroup', 'mnt'],
      cgroup: inner.spawnPlacement(),
      // The hierarchies turn read-only in the child's mount namespace (what a container's read-only /sys gives).
      mounts: [
        { kind: 'readonly', path: '/sys/fs/cgroup' },
        ...cg.directories.map((d) => ({ kind: 'readonly' as const, path: d.slice(0, d.length - cg.path.length) })),
      ],
      capabilities: dockerCaps(),
      noNewPrivileges: true,
      seccomp: kcSeccomp(),
    });
    rmSync(`/tmp/${id}-m`, { recursive: true, force: true });
    expect(Number(r.out.split('\n')[0])).toBeGreaterThan(0); // its own cgroups are its namespace's roots
    expect(r.out).not.toMatch(/WROTE|MOUNTED/);
    expect(r.out).toMatch(/done$/);
    expect(readFileSync(pidsMax, 'utf8').trim()).toBe('64');
  });

  it('only the fds passed in extraFds reach the child, at 3, 4...; no other parent fd leaks', async () => {
    const procDir = openSync('/proc', 'r');
    const other = openSync('/etc/hostname', 'r');
    try {
      // Seen from outside, so the shell's own transient fds (globs, pipes) cannot blur the answer.
      const fds = await holding({ argv: [], extraFds: [procDir] }, (pid) =>
        readdirSync(`/proc/${pid}/fd`).map((n) => [n, readlinkSync(`/proc/${pid}/fd/${n}`)] as const),
      );
      expect(fds.map(([n]) => Number(n)).filter((n) => n > 2)).toEqual([3]);
      expect(fds.find(([n]) => n === '3')?.[1]).toBe('/proc');
      expect(fds.map(([, l]) => l)).not.toContain('/etc/hostname');
    } finally {
      closeSync(procDir);
      closeSync(other);
    }
  });

  it("a child cannot open the host's node binary for writing through /proc/<parent>/exe", async () => {
    const before = createHash('sha256').update(readFileSync(process.execPath)).digest('hex');
    const target = `/proc/${process.pid}/exe`;
    const root = await run({ argv: [probeBin, 'open-w', target] });
    const contained = await run({ argv: [probeBin, 'open-w', target], capabilities: dockerCaps(), noNewPrivileges: true, seccomp: kcSeccomp() });
    const nobody = await run({ argv: [probeBin, 'open-w', target], user: { uid: 65534, gid: 65534, groups: [] } });
    // Even full root gets ETXTBSY (the binary is running); the contained ones are refused earlier.
    expect(root.out).toBe('ETXTBSY');
    expect(['ETXTBSY', 'EACCES', 'EPERM']).toContain(contained.out);
    expect(['ETXTBSY', 'EACCES', 'EPERM']).toContain(nobody.out);
    expect(createHash('sha256').update(readFileSync(process.execPath)).digest('hex')).toBe(before);
  });

  it('a mount target behind a symlink to / lands inside the rootfs (openat2 RESOLVE_IN_ROOT), with pivot_root', async () => {
    const rootfs = join(dir, 'rootfs');
    buildBusyboxRootfs(rootfs);
    symlinkSync('/', join(rootfs, 'evil'));
    const hostPath = `/kc-escape-test-${id}`;
    try {
      const points = await holding(
        {
          argv: [],
          namespaces: ['mnt'],
          mounts: [
            { kind: 'rootfs', path: rootfs },
            { kind: 'mount', source: 'tmpfs', fstype: 'tmpfs', target: `/evil/kc-escape-test-${id}`, create: 'dir', data: 'size=1m' },
            { kind: 'pivot' },
          ],
        },
        (pid) =>
          readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
            .split('\n')
            .filter((l) => l.includes('kc-escape-test'))
            .map((l) => l.split(' ')[4]),
      );
      // Seen from inside the child's root: the tmpfs sits at the in-root path the symlink named.
      expect(points).toEqual([`/kc-escape-test-${id}`]);
      expect(existsSync(hostPath)).toBe(false); // nothing created on the host
      expect(existsSync(join(rootfs, `kc-escape-test-${id}`))).toBe(true); // the directory was made inside the rootfs
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(`kc-escape-test-${id}`);
    } finally {
      rmSync(hostPath, { recursive: true, force: true });
    }
  });
});
