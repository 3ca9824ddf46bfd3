/**
 * bubblewrap's feature set from TypeScript, as a plain (non-root) user: a
 * child in new user, mnt, pid, ipc, uts and net namespaces, mapped to root of
 * its own user namespace (its uid and gid alone, no setuid helper), on the
 * host's `/` bound read-only, with a private tmpfs `/tmp`, a fresh `/proc`,
 * one writable bind of a directory the user owns, every capability dropped and
 * a seccomp filter that refuses mkdir(2) with EPERM. Nothing here needs root.
 *
 * Run as any user: pnpm exec tsx examples/unprivileged-sandbox.ts [WRITABLE_DIR]
 * (the directory defaults to a fresh one under /var/tmp; outside /tmp, which
 * the sandbox's own tmpfs hides).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Capabilities, toSpawnCapabilities } from '@kc/caps';
import { MOUNT_ATTR, MountPlan } from '@kc/namespaces';
import { spawn } from '@kc/native';
import { Act, compile, kcDefaultPolicy, toSpawnSeccomp } from '@kc/seccomp';

const EPERM = 1;
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;
const given = process.argv[2];
const writable = given ?? mkdtempSync('/var/tmp/kc-sandbox-');

// The host root through a fresh mount point (pivot_root cannot pivot into the
// current root), read-only down to every submount; then what is private to the
// sandbox on top: its /tmp, its /proc (only its own pids), the one writable dir.
const mounts = new MountPlan()
  .rootfs('/')
  .pivot()
  .remountReadonly('/')
  .tmpfs('/tmp', { create: false, data: 'size=4m,mode=1777' })
  .proc('/proc', { create: false })
  .bind(writable, writable, { recursive: false })
  // A bind of a read-only mount starts read-only: this one is meant to be written.
  .setattr(writable, { clear: MOUNT_ATTR.RDONLY, recursive: false })
  .steps();

// kc's default profile, with mkdir/mkdirat refused: a stand-in for "a syscall the sandbox may not make".
const base = kcDefaultPolicy();
const denied = new Set(['mkdir', 'mkdirat']);
const seccomp = toSpawnSeccomp(
  compile({ ...base, rules: [...base.rules.filter((r) => !denied.has(r.syscall)), ...[...denied].map((syscall) => ({ syscall, action: Act.errno(EPERM) }))] }),
);

const script = [
  'echo "id: $(id -u):$(id -g)"',
  'echo "uid_map: $(cat /proc/self/uid_map | tr -s " " | sed "s/^ //")"',
  'echo "pids: $(ls /proc | grep -E "^[0-9]+$" | sort -n | tr "\\n" " ")"',
  'echo "pid1: $(cat /proc/1/comm)"',
  'touch /kc-sandbox-probe 2>&1 | sed "s/^/root write: /"',
  'echo "tmp: $(ls -A /tmp | wc -l) entries"',
  'grep CapEff /proc/self/status | tr -d "\\t" | sed "s/:/: /"',
  'mkdir /tmp/d 2>&1 | sed "s/^/mkdir: /"',
  `echo made-inside > ${writable}/made-inside && echo "wrote ${writable}/made-inside"`,
].join('; ');

const child = spawn({
  argv: ['/bin/sh', '-c', script],
  env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
  cwd: '/',
  namespaces: ['user', 'mnt', 'pid', 'ipc', 'uts', 'net'],
  uidMap: [{ containerId: 0, hostId: uid, size: 1 }],
  gidMap: [{ containerId: 0, hostId: gid, size: 1 }],
  setgroups: 'deny', // required for an unprivileged gid map (user_namespaces(7))
  hostname: 'sandbox',
  mounts,
  capabilities: toSpawnCapabilities(Capabilities.only([])),
  noNewPrivileges: true,
  seccomp,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
child.stdout?.on('data', (d: Buffer) => (out += d));
child.stderr?.on('data', (d: Buffer) => (out += d));
const status = await child.exited;
console.log(`running as uid ${uid}, gid ${gid}; writable dir ${writable}`);
console.log(out.trimEnd());
console.log(`exit code: ${status.exitCode}`);
if (!given) rmSync(writable, { recursive: true, force: true });
