/**
 * Rootless kc (issue #14), against runc's rootless mode on the bundle
 * `runc spec --rootless` writes, both run by a plain user made for the run
 * (`kcrootless`, with a /etc/subuid and /etc/subgid range): the same ids,
 * maps, capability sets and mount points; a multi-id map written through
 * newuidmap/newgidmap; the typed errors (limits without a delegated cgroup,
 * ids outside the user's ranges, a state directory it cannot write). The
 * user and its ranges are removed after the run only if this run added them.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxRootfs } from '@kc/container';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KC, leftoverCgroups, probe, uniqueId } from './helpers.js';

const USER = 'kcrootless';
const RANGE = 65536;

/** User namespaces can be created here (the kernel's limit is not 0). */
const userns = Number(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8')) > 0;

interface Account {
  uid: number;
  gid: number;
  /** First host id of the user's subuid/subgid range. */
  subStart: number;
}

let account: Account;
let work = '';
let createdUser = false;
const addedLines: { file: string; line: string }[] = [];

function lookupId(flag: '-u' | '-g'): number | undefined {
  const r = spawnSync('id', [flag, USER], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : undefined;
}

/** The user's own range in a subid file, else one appended past every range in both files. */
function ensureRange(file: string, fallbackStart: number): number {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const mine = text.split('\n').find((l) => l.startsWith(`${USER}:`));
  if (mine) return Number(mine.split(':')[1]);
  const line = `${USER}:${fallbackStart}:${RANGE}`;
  appendFileSync(file, `${text.length > 0 && !text.endsWith('\n') ? '\n' : ''}${line}\n`);
  addedLines.push({ file, line });
  return fallbackStart;
}

/** A start above every range either file delegates, so the new range overlaps none. */
function freeStart(): number {
  let end = 1_000_000;
  for (const f of ['/etc/subuid', '/etc/subgid']) {
    if (!existsSync(f)) continue;
    for (const l of readFileSync(f, 'utf8').split('\n')) {
      const [, s, c] = l.split(':');
      if (s && c) end = Math.max(end, Number(s) + Number(c));
    }
  }
  return Math.ceil(end / RANGE) * RANGE;
}

function chownTree(p: string, uid: number, gid: number): void {
  chownSync(p, uid, gid);
  if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(join(p, e), uid, gid);
}

/** Runs a command as the test user, with a HOME and XDG_RUNTIME_DIR it owns. */
function asUser(cmd: string, args: string[], env: Record<string, string | undefined> = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    uid: account.uid,
    gid: account.gid,
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: join(work, 'home'), XDG_RUNTIME_DIR: join(work, 'xdg'), ...env },
  });
}

/** A bundle written by `runc spec --rootless` as the user (busybox rootfs owned by the user), edited by `edit`. */
function rootlessBundle(args: string[], edit?: (c: Record<string, any>) => void): string {
  const dir = mkdtempSync(join(work, 'bundle-'));
  buildBusyboxRootfs(join(dir, 'rootfs'));
  chownTree(dir, account.uid, account.gid);
  const spec = asUser('runc', ['spec', '--rootless'], {});
  expect(spec.status, spec.stderr).toBe(0);
  // runc spec writes to the cwd: move it into the bundle.
  const config = JSON.parse(readFileSync(join(work, 'config.json'), 'utf8'));
  rmSync(join(work, 'config.json'));
  config.process.terminal = false;
  config.process.args = args;
  edit?.(config);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  chownSync(join(dir, 'config.json'), account.uid, account.gid);
  return dir;
}

/** Runs the bundle with `runc run` and `kc run` as the user, each with its own state root; both ids force-deleted. */
function runBoth(bundle: string, between?: () => void): { runc: SpawnSyncReturns<string>; kc: SpawnSyncReturns<string>; kcId: string } {
  const ids = { runc: uniqueId('rlrunc'), kc: uniqueId('rlkc') };
  try {
    const runc = asUser('runc', ['--root', join(work, 'xdg/runc'), 'run', '--bundle', bundle, ids.runc]);
    between?.();
    const kc = asUser(KC, ['--root', join(work, 'xdg/kc'), 'run', '--bundle', bundle, ids.kc]);
    return { runc, kc, kcId: ids.kc };
  } finally {
    asUser('runc', ['--root', join(work, 'xdg/runc'), 'delete', '--force', ids.runc]);
    asUser(KC, ['--root', join(work, 'xdg/kc'), 'delete', '--force', ids.kc]);
  }
}

/** What the container prints: ids, maps, capability sets, then its mount points sorted (runc and kc mount in different orders). */
const VIEW = [
  'id',
  'cat /proc/self/uid_map /proc/self/gid_map',
  'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|Groups):" /proc/self/status',
  'echo mounts:',
  "awk '{print $5}' /proc/self/mountinfo | sort",
].join('; ');

/** SIGKILLs `pid` and waits (bounded) until it is dead: gone or a zombie. */
function killAndWait(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // gone already
  }
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 1000; i++) {
    let state = '';
    try {
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] ?? '';
    } catch {
      return;
    }
    if (state === 'Z' || state === 'X') return;
    Atomics.wait(tick, 0, 0, 10); // polling the state above, not a timed assumption
  }
}

/** The user's processes still alive, zombies aside (dead already, reaped by whoever adopted them): none may outlive a test. */
function userProcesses(): string {
  const ps = spawnSync('ps', ['-o', 'stat=,pid=,args=', '-u', String(account.uid)], { encoding: 'utf8' }).stdout;
  return ps
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('Z'))
    .join('\n');
}

describe.runIf(probe.root && probe.runc && probe.busybox && userns)('rootless kc as a plain user, against runc rootless (user namespaces enabled)', () => {
  beforeAll(() => {
    if (lookupId('-u') === undefined) {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
      createdUser = true;
    }
    const start = freeStart();
    const subStart = ensureRange('/etc/subuid', start);
    const subgidStart = ensureRange('/etc/subgid', start);
    expect(subgidStart, 'the test needs equal subuid and subgid starts').toBe(subStart);
    account = { uid: lookupId('-u') as number, gid: lookupId('-g') as number, subStart };
    work = mkdtempSync(join(tmpdir(), 'kc-rootless-'));
    chmodSync(work, 0o755);
    for (const d of ['home', 'xdg']) mkdirSync(join(work, d), { mode: 0o700 });
    chownTree(work, account.uid, account.gid);
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    for (const { file, line } of addedLines) {
      const kept = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== line);
      writeFileSync(file, kept.join('\n'));
    }
    if (createdUser) execFileSync('userdel', [USER]);
  });

  it('the `runc spec --rootless` bundle: same id, uid_map, gid_map, capability sets and mount points as runc; state under --root; nothing left', () => {
    const bundle = rootlessBundle(['sh', '-c', VIEW]);
    const { runc, kc, kcId } = runBoth(bundle);
    expect(runc.status, runc.stderr).toBe(0);
    expect(kc.status, kc.stderr).toBe(0);
    expect(kc.stdout).toMatch(new RegExp(`^\\s+0\\s+${account.uid}\\s+1$`, 'm'));
    expect(kc.stdout).toContain('uid=0(root) gid=0(root)');
    expect(kc.stdout).toContain('mounts:\n');
    expect(kc.stdout).toBe(runc.stdout);
    expect(leftoverCgroups(kcId)).toEqual([]);
    expect(existsSync(join(work, 'xdg/kc', kcId))).toBe(false);
    expect(userProcesses()).toBe('');
  });

  it('a new network namespace has loopback only, up, as under runc', () => {
    const bundle = rootlessBundle(['sh', '-c', 'ip -o link show | cut -d" " -f2,3'], (c) => c.linux.namespaces.push({ type: 'network' }));
    const { runc, kc } = runBoth(bundle);
    expect(runc.status, runc.stderr).toBe(0);
    expect(kc.status, kc.stderr).toBe(0);
    expect(kc.stdout).toMatch(/^lo: <LOOPBACK,UP,LOWER_UP>\n$/);
    expect(kc.stdout).toBe(runc.stdout);
  });

  it('without --root the state is under $XDG_RUNTIME_DIR/kc', () => {
    const bundle = rootlessBundle(['sleep', '1000']);
    const id = uniqueId('rlxdg');
    try {
      const created = spawnSync(KC, ['create', '--bundle', bundle, id], {
        uid: account.uid,
        gid: account.gid,
        stdio: 'ignore',
        timeout: 60_000,
        env: { PATH: '/usr/bin:/bin', HOME: join(work, 'home'), XDG_RUNTIME_DIR: join(work, 'xdg') },
      });
      expect(created.status).toBe(0);
      const record = JSON.parse(readFileSync(join(work, 'xdg/kc', id, 'state.json'), 'utf8'));
      expect(statSync(`/proc/${record.pid}`).uid).toBe(account.uid); // root of its namespace = the user on the host
    } finally {
      expect(asUser(KC, ['delete', '--force', id]).status).toBe(0);
    }
    expect(existsSync(join(work, 'xdg/kc', id))).toBe(false);
    expect(userProcesses()).toBe('');
  });

  it('exec into a running rootless container without a cgroup joins its namespaces; kill and delete end it', () => {
    const bundle = rootlessBundle(['sleep', '1000']);
    const root = join(work, 'xdg/kc');
    const id = uniqueId('rlexec');
    try {
      const created = spawnSync(KC, ['--root', root, 'create', '--bundle', bundle, id], {
        uid: account.uid,
        gid: account.gid,
        stdio: 'ignore',
        timeout: 60_000,
        env: { PATH: '/usr/bin:/bin', HOME: join(work, 'home'), XDG_RUNTIME_DIR: join(work, 'xdg') },
      });
      expect(created.status).toBe(0);
      expect(asUser(KC, ['--root', root, 'start', id]).status).toBe(0);
      const state = asUser(KC, ['--root', root, 'state', id]);
      expect(JSON.parse(state.stdout).status).toBe('running');
      const ex = asUser(KC, ['--root', root, 'exec', id, 'sh', '-c', 'id -u; cat /proc/self/uid_map; readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt']);
      expect(ex.status, ex.stderr).toBe(0);
      const pid = JSON.parse(state.stdout).pid;
      const ns = (kind: string) => readlinkSync(`/proc/${pid}/ns/${kind}`);
      expect(ex.stdout.replace(/[ \t]+/g, ' ')).toBe(`0\n 0 ${account.uid} 1\n${ns('pid')}\n${ns('mnt')}\n`);
      expect(asUser(KC, ['--root', root, 'kill', id, 'KILL']).status).toBe(0);
    } finally {
      expect(asUser(KC, ['--root', root, 'delete', '--force', id]).status).toBe(0);
    }
    expect(existsSync(join(root, id))).toBe(false);
    expect(userProcesses()).toBe('');
  });

  it('a multi-id map through newuidmap/newgidmap: uid 1000 inside is subuid start + 999 on the host, as under runc', () => {
    const maps = [
      { containerID: 0, hostID: account.uid, size: 1 },
      { containerID: 1, hostID: account.subStart, size: RANGE },
    ];
    const bundle = rootlessBundle(['sh', '-c', `${VIEW}; touch /tmp/f && chown 1000:1000 /tmp/f && echo chowned`], (c) => {
      c.linux.uidMappings = maps;
      c.linux.gidMappings = maps.map((m) => (m.containerID === 0 ? { ...m, hostID: account.gid } : m));
      c.root.readonly = false;
      c.mounts = c.mounts.filter((m: { destination: string }) => m.destination !== '/tmp');
      for (const set of ['bounding', 'effective', 'permitted']) c.process.capabilities[set].push('CAP_CHOWN');
    });
    const made = join(bundle, 'rootfs/tmp/f');
    const owners: number[][] = [];
    const { runc, kc } = runBoth(bundle, () => {
      owners.push([statSync(made).uid, statSync(made).gid]);
      rmSync(made);
    });
    owners.push([statSync(made).uid, statSync(made).gid]);
    expect(runc.status, runc.stderr).toBe(0);
    expect(kc.status, kc.stderr).toBe(0);
    expect(kc.stdout).toMatch(new RegExp(`^\\s+1\\s+${account.subStart}\\s+${RANGE}$`, 'm'));
    expect(kc.stdout).toContain('chowned');
    expect(kc.stdout).toBe(runc.stdout);
    expect(owners).toEqual([
      [account.subStart + 999, account.subStart + 999],
      [account.subStart + 999, account.subStart + 999],
    ]);
    expect(userProcesses()).toBe('');
  });

  it('podman rootless with kc as its runtime (image from a local tarball): same ids, maps and loopback as with runc', () => {
    const rootfs = mkdtempSync(join(work, 'image-'));
    buildBusyboxRootfs(rootfs);
    const tarball = join(work, 'busybox.tar');
    execFileSync('tar', ['-C', rootfs, '-cf', tarball, '.']);
    chownTree(work, account.uid, account.gid);
    // vfs: no fuse-overlayfs here; --network none: no slirp4netns/pasta needed (the container still gets its own loopback-only netns).
    const podman = (args: string[]) => asUser('podman', ['--storage-driver', 'vfs', ...args]);
    const image = `localhost/kc-rootless-${process.pid}`;
    try {
      const imported = podman(['import', tarball, image]);
      expect(imported.status, imported.stderr).toBe(0);
      const view = 'id; cat /proc/self/uid_map /proc/self/gid_map; grep -E "^Cap(Prm|Eff|Bnd):" /proc/self/status; ip -o link show | cut -d" " -f2,3';
      const withRunc = podman(['--runtime', '/usr/sbin/runc', 'run', '--rm', '--network', 'none', image, 'sh', '-c', view]);
      expect(withRunc.status, withRunc.stderr).toBe(0);
      const withKc = podman(['--runtime', KC, 'run', '--rm', '--network', 'none', image, 'sh', '-c', view]);
      expect(withKc.status, withKc.stderr).toBe(0);
      // podman's own user namespace: root is the user, 1.. its subuid range; kc runs as root of that namespace.
      expect(withKc.stdout).toMatch(new RegExp(`^\\s+1\\s+${account.subStart}\\s+${RANGE}$`, 'm'));
      expect(withKc.stdout).toContain('lo: <LOOPBACK,UP,LOWER_UP>');
      expect(withKc.stdout).toBe(withRunc.stdout);
    } finally {
      podman(['rmi', '--force', image]);
      // Rootless podman keeps a pause process holding its user namespace: it was started by this test, so it goes.
      const pausePid = join(work, 'xdg/libpod/tmp/pause.pid');
      if (existsSync(pausePid)) killAndWait(Number(readFileSync(pausePid, 'utf8')));
    }
    expect(userProcesses()).toBe('');
  });

  /** Asserts a one-line `kc: ...` error matching `message`, no stack trace, no state left for `id`. */
  function expectTypedError(r: SpawnSyncReturns<string>, message: RegExp, stateRoot: string, id: string): void {
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(
      lines.filter((l) => l.startsWith('kc: ')),
      r.stderr,
    ).toHaveLength(1);
    expect(lines.find((l) => l.startsWith('kc: '))).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(stateRoot, id))).toBe(false);
    expect(leftoverCgroups(id)).toEqual([]);
    expect(userProcesses()).toBe('');
  }

  it('limits asked with no cgroup delegated: a typed error naming the field and what is missing', () => {
    const bundle = rootlessBundle(['true'], (c) => {
      c.linux.resources = { memory: { limit: 64 * 1024 * 1024 } };
    });
    const id = uniqueId('rllim');
    const r = asUser(KC, ['--root', join(work, 'xdg/kc'), 'run', '--bundle', bundle, id]);
    expectTypedError(r, /^kc: linux\.resources\.memory needs root or a delegated cgroup: .*EACCES/, join(work, 'xdg/kc'), id);
  });

  it('ids outside the user’s /etc/subuid range: a typed error before anything is made', () => {
    const bundle = rootlessBundle(['true'], (c) => {
      c.linux.uidMappings = [{ containerID: 0, hostID: account.subStart + RANGE, size: 1000 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: account.gid, size: 1 }];
    });
    const id = uniqueId('rlsub');
    const r = asUser(KC, ['--root', join(work, 'xdg/kc'), 'run', '--bundle', bundle, id]);
    expectTypedError(
      r,
      new RegExp(`^kc: linux\\.uidMappings\\[0\\]: host ids ${account.subStart + RANGE}-\\d+ are not delegated to user ${USER} in /etc/subuid`),
      join(work, 'xdg/kc'),
      id,
    );
  });

  it('a state directory the user cannot write: a one-line typed error, no stack trace', () => {
    const bundle = rootlessBundle(['true']);
    const locked = mkdtempSync(join(work, 'root-owned-')); // owned by root, 0700
    const id = uniqueId('rlro');
    const r = asUser(KC, ['--root', join(locked, 'kc'), 'run', '--bundle', bundle, id]);
    expectTypedError(r, new RegExp(`^kc: cannot write the state directory ${locked}/kc: EACCES`), join(locked, 'kc'), id);
  });
});
