import { invalidArgument, SpawnError } from '../errors.js';
import { RLIMIT_NUMBERS } from './constants.js';
import { mountAttrProblem } from './mount-attr.js';
import { NAMESPACE_KINDS, type IdMapEntry, type MountStep, type NamespaceKind, type ProcessSpec } from './spec.js';

const fail = (field: string, problem: string, hint?: string) => invalidArgument(SpawnError, field, problem, hint);

const isUint = (n: unknown, max = 0xffffffff): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= max;

function noNul(field: string, s: unknown): void {
  if (typeof s !== 'string') throw fail(field, `expected a string, got ${typeof s}`);
  if (s.includes('\0')) throw fail(field, 'contains a NUL byte');
}

function checkKind(field: string, k: unknown): asserts k is NamespaceKind {
  if (!NAMESPACE_KINDS.includes(k as NamespaceKind)) {
    throw fail(field, `unknown namespace kind ${JSON.stringify(k)}`, `use one of ${NAMESPACE_KINDS.join(', ')}`);
  }
}

/**
 * Checks a spawn spec's `uidMap`/`gidMap` as {@link validateSpec} does: rejects
 * maps with bad numbers, or overlapping ranges inside or outside
 * (user_namespaces(7)). `@kc/namespaces`' `validateIdMap` checks more (the
 * unprivileged one-line rule) and is the one to call from application code.
 * @throws {@link SpawnError} `INVALID_ARGUMENT` naming `field` and the bad line.
 */
export function validateSpecIdMap(field: string, map: readonly IdMapEntry[]): void {
  if (!Array.isArray(map) || map.length === 0) throw fail(field, 'must be a non-empty array');
  if (map.length > 340) throw fail(field, `has ${map.length} lines; the kernel accepts at most 340`);
  map.forEach((e, i) => {
    if (!isUint(e.containerId) || !isUint(e.hostId)) throw fail(`${field}[${i}]`, 'ids must be integers in 0..4294967295');
    if (!isUint(e.size) || e.size < 1) throw fail(`${field}[${i}].size`, 'must be an integer >= 1');
    if (e.containerId + e.size > 0x100000000 || e.hostId + e.size > 0x100000000) {
      throw fail(`${field}[${i}]`, 'range runs past 4294967295');
    }
  });
  for (const side of ['containerId', 'hostId'] as const) {
    const sorted = map.map((e, i) => ({ start: e[side], end: e[side] + e.size, i })).sort((a, b) => a.start - b.start);
    for (const [k, b] of sorted.entries()) {
      const a = sorted[k - 1];
      if (a && b.start < a.end) throw fail(`${field}[${b.i}]`, `${side} range overlaps ${field}[${a.i}]`, 'ranges must be disjoint on both sides');
    }
  }
}

/**
 * Checks a spawn spec's id map, as {@link validateSpecIdMap}.
 * @deprecated use {@link validateSpecIdMap} (the same check), or `validateIdMap` of `@kc/namespaces` (map first, field second).
 */
export const validateIdMap: (field: string, map: readonly IdMapEntry[]) => void = validateSpecIdMap;

/** `/`, `//`, `/.`: paths naming the root directory. */
function isRootPath(path: string): boolean {
  return path.split('/').every((c) => c === '' || c === '.');
}

function validateMounts(spec: ProcessSpec, hasMnt: boolean): void {
  const mounts: readonly MountStep[] = spec.mounts ?? [];
  if (mounts.length && !hasMnt) throw fail('mounts', 'mount steps need a mount namespace', "add 'mnt' to namespaces (or join one)");
  let rootfs = false;
  let pivoted = false;
  mounts.forEach((m, i) => {
    const f = `mounts[${i}]`;
    switch (m?.kind) {
      case 'rootfs':
        noNul(`${f}.path`, m.path);
        if (!m.path.startsWith('/')) throw fail(`${f}.path`, 'must be absolute');
        if (rootfs) throw fail(f, 'a second rootfs step');
        if (m.mountPoint !== undefined) {
          noNul(`${f}.mountPoint`, m.mountPoint);
          if (!m.mountPoint.startsWith('/') || isRootPath(m.mountPoint)) throw fail(`${f}.mountPoint`, 'must be an absolute path other than /');
        } else if (isRootPath(m.path)) {
          // pivot_root(2) refuses the current root mount (EBUSY), and a bind of / onto itself is that mount.
          throw fail(
            `${f}.mountPoint`,
            "the host root '/' cannot be pivoted into in place (pivot_root fails with EBUSY)",
            'give a fresh empty directory as mountPoint: the host root is bound there and becomes the new root',
          );
        }
        if (m.recursive !== undefined && typeof m.recursive !== 'boolean') throw fail(`${f}.recursive`, 'must be a boolean');
        rootfs = true;
        break;
      case 'pivot':
      case 'chroot':
        if (!rootfs) throw fail(f, `${m.kind} needs an earlier rootfs step`);
        if (pivoted) throw fail(f, 'already pivoted');
        pivoted = true;
        break;
      case 'mount':
        noNul(`${f}.target`, m.target);
        // Before the pivot the rootfs step has already opened the root: a mount over it would be silently bypassed.
        if (rootfs && !pivoted && isRootPath(m.target)) {
          throw fail(
            `${f}.target`,
            'a mount onto / of the rootfs is hidden from the pivot, which uses the rootfs directory below it',
            'bind the tree as the root instead: rootfs { path: source, mountPoint }',
          );
        }
        if (m.source !== undefined) noNul(`${f}.source`, m.source);
        if (m.fstype !== undefined) noNul(`${f}.fstype`, m.fstype);
        if (m.data !== undefined) noNul(`${f}.data`, m.data);
        break;
      case 'idmap':
        noNul(`${f}.source`, m.source);
        noNul(`${f}.target`, m.target);
        if (!Number.isInteger(m.usernsFd) || m.usernsFd < 0) throw fail(`${f}.usernsFd`, 'must be an open fd');
        break;
      case 'attach':
        noNul(`${f}.target`, m.target);
        if (!Number.isInteger(m.treeFd) || m.treeFd < 0) throw fail(`${f}.treeFd`, 'must be an open fd');
        break;
      case 'mkdir':
      case 'mask':
      case 'readonly':
        noNul(`${f}.path`, m.path);
        break;
      case 'symlink':
        noNul(`${f}.path`, m.path);
        noNul(`${f}.target`, m.target);
        break;
      case 'mknod':
        noNul(`${f}.path`, m.path);
        if (!isUint(m.major) || !isUint(m.minor) || !isUint(m.mode)) throw fail(f, 'mode, major and minor must be non-negative integers');
        break;
      case 'remount':
      case 'propagation':
      case 'umount':
        noNul(`${f}.target`, m.target);
        break;
      case 'setattr': {
        noNul(`${f}.target`, m.target);
        const problem = mountAttrProblem(m.set ?? 0, m.clear ?? 0);
        if (problem) throw fail(f, problem, 'see mount_setattr(2)');
        break;
      }
      default:
        throw fail(`${f}.kind`, `unknown mount step ${JSON.stringify((m as { kind?: unknown })?.kind)}`);
    }
  });
}

const NAMESPACED_SYSCTL: { test: (k: string) => boolean; ns: NamespaceKind }[] = [
  { test: (k) => k.startsWith('net.'), ns: 'net' },
  { test: (k) => k === 'kernel.hostname' || k === 'kernel.domainname', ns: 'uts' },
  { test: (k) => /^kernel\.(msgmax|msgmnb|msgmni|sem|shmall|shmmax|shmmni|shm_rmid_forced)$/.test(k) || k.startsWith('fs.mqueue.'), ns: 'ipc' },
];

/**
 * Checks a spec completely before anything touches the kernel.
 *
 * @throws {@link SpawnError} with code `INVALID_ARGUMENT` and `field` naming the bad input.
 */
export function validateSpec(spec: ProcessSpec): void {
  if (typeof spec !== 'object' || spec === null) throw fail('spec', 'must be an object');
  if (!Array.isArray(spec.argv) || spec.argv.length === 0) throw fail('argv', 'must be a non-empty array', "e.g. ['/bin/sh', '-c', 'echo hi']");
  spec.argv.forEach((a, i) => noNul(`argv[${i}]`, a));
  if (spec.argv[0] === '') throw fail('argv[0]', 'is empty');
  if (spec.path !== undefined) noNul('path', spec.path);
  for (const [k, v] of Object.entries(spec.env ?? {})) {
    if (k === '' || k.includes('=') || k.includes('\0')) throw fail(`env.${k}`, 'names must be non-empty and contain no = or NUL');
    if (v !== undefined) noNul(`env.${k}`, v);
  }
  if (spec.cwd !== undefined) noNul('cwd', spec.cwd);
  if (spec.umask !== undefined && !isUint(spec.umask, 0o777)) throw fail('umask', 'must be an integer in 0..0o777');
  // setTimeout's own limit (2^31-1 ms); beyond it Node would fire at once.
  if (spec.timeoutMs !== undefined && !(Number.isInteger(spec.timeoutMs) && spec.timeoutMs > 0 && spec.timeoutMs <= 2 ** 31 - 1)) {
    throw fail('timeoutMs', 'must be an integer number of milliseconds in 1..2147483647');
  }

  const created = new Set<NamespaceKind>();
  (spec.namespaces ?? []).forEach((k, i) => {
    checkKind(`namespaces[${i}]`, k);
    if (created.has(k)) throw fail(`namespaces[${i}]`, `${k} listed twice`);
    created.add(k);
  });
  const joined = new Set<NamespaceKind>();
  (spec.join ?? []).forEach((j, i) => {
    checkKind(`join[${i}].kind`, j?.kind);
    if ((j.fd === undefined) === (j.path === undefined)) throw fail(`join[${i}]`, 'give exactly one of fd or path');
    if (j.fd !== undefined && (!Number.isInteger(j.fd) || j.fd < 0)) throw fail(`join[${i}].fd`, 'must be an open fd');
    if (j.path !== undefined) noNul(`join[${i}].path`, j.path);
    if (created.has(j.kind)) throw fail(`join[${i}]`, `${j.kind} is both created and joined`);
    joined.add(j.kind);
  });
  if (spec.joinPidfd) {
    if (!Number.isInteger(spec.joinPidfd.pidfd) || spec.joinPidfd.pidfd < 0) throw fail('joinPidfd.pidfd', 'must be an open pidfd');
    if (!Array.isArray(spec.joinPidfd.kinds) || spec.joinPidfd.kinds.length === 0) throw fail('joinPidfd.kinds', 'must list at least one kind');
    spec.joinPidfd.kinds.forEach((k, i) => {
      checkKind(`joinPidfd.kinds[${i}]`, k);
      if (created.has(k)) throw fail(`joinPidfd.kinds[${i}]`, `${k} is both created and joined`);
      joined.add(k);
    });
  }
  if (joined.size && created.has('user')) {
    throw fail('namespaces', 'a new user namespace cannot be combined with joining namespaces', 'join the user namespace too, or create everything new');
  }
  const has = (k: NamespaceKind) => created.has(k) || joined.has(k);

  if (spec.uidMap || spec.gidMap) {
    if (!created.has('user')) throw fail(spec.uidMap ? 'uidMap' : 'gidMap', 'id maps need a new user namespace', "add 'user' to namespaces");
    if (spec.uidMap) validateSpecIdMap('uidMap', spec.uidMap);
    if (spec.gidMap) validateSpecIdMap('gidMap', spec.gidMap);
  }
  if (spec.setgroups !== undefined && spec.setgroups !== 'allow' && spec.setgroups !== 'deny') throw fail('setgroups', "must be 'allow' or 'deny'");
  for (const key of ['hostname', 'domainname'] as const) {
    const v = spec[key];
    if (v === undefined) continue;
    noNul(key, v);
    if (Buffer.byteLength(v) > 64) throw fail(key, 'is longer than 64 bytes');
    if (!has('uts')) throw fail(key, 'needs a uts namespace, or it would rename the host', "add 'uts' to namespaces");
  }
  if (spec.timeOffsets) {
    if (!created.has('time')) throw fail('timeOffsets', 'needs a new time namespace', "add 'time' to namespaces");
    for (const [clock, v] of Object.entries(spec.timeOffsets)) {
      if (clock !== 'monotonic' && clock !== 'boottime') throw fail(`timeOffsets.${clock}`, "unknown clock; use 'monotonic' or 'boottime'");
      if (v !== undefined && !Number.isFinite(v)) throw fail(`timeOffsets.${clock}`, 'must be a finite number of seconds');
    }
  }
  if (spec.cgroup) {
    if (spec.cgroup.fd !== undefined && (!Number.isInteger(spec.cgroup.fd) || spec.cgroup.fd < 0))
      throw fail('cgroup.fd', 'must be an open cgroup v2 directory fd');
    (spec.cgroup.procsFiles ?? []).forEach((f, i) => {
      noNul(`cgroup.procsFiles[${i}]`, f);
      if (!/\/(cgroup\.procs|tasks)$/.test(f)) throw fail(`cgroup.procsFiles[${i}]`, 'must name a cgroup.procs or tasks file');
    });
  }
  validateMounts(spec, has('mnt'));
  for (const [key, value] of Object.entries(spec.sysctl ?? {})) {
    if (!/^[a-z0-9_]+(\.[a-zA-Z0-9_-]+)+$/.test(key)) throw fail(`sysctl.${key}`, 'is not a dotted sysctl name');
    const rule = NAMESPACED_SYSCTL.find((r) => r.test(key));
    if (!rule) throw fail(`sysctl.${key}`, 'is not namespaced: setting it would change the host');
    if (!has(rule.ns)) throw fail(`sysctl.${key}`, `needs a ${rule.ns} namespace`, `add '${rule.ns}' to namespaces`);
    noNul(`sysctl.${key}`, value);
  }
  (spec.rlimits ?? []).forEach((r, i) => {
    if (!(r?.resource in RLIMIT_NUMBERS)) throw fail(`rlimits[${i}].resource`, `unknown resource ${JSON.stringify(r?.resource)}`);
    const v = (x: unknown) => (x === 'unlimited' ? 2n ** 64n - 1n : typeof x === 'bigint' || Number.isInteger(x) ? BigInt(x as number) : -1n);
    const soft = v(r.soft);
    const hard = v(r.hard);
    if (soft < 0n || hard < 0n) throw fail(`rlimits[${i}]`, "soft and hard must be non-negative integers or 'unlimited'");
    if (soft > hard) throw fail(`rlimits[${i}].soft`, 'is above the hard limit');
  });
  if (spec.oomScoreAdj !== undefined && (!Number.isInteger(spec.oomScoreAdj) || spec.oomScoreAdj < -1000 || spec.oomScoreAdj > 1000)) {
    throw fail('oomScoreAdj', 'must be an integer in -1000..1000');
  }
  if (spec.user) {
    if (!isUint(spec.user.uid, 0xfffffffe)) throw fail('user.uid', 'must be an integer in 0..4294967294');
    if (!isUint(spec.user.gid, 0xfffffffe)) throw fail('user.gid', 'must be an integer in 0..4294967294');
    (spec.user.groups ?? []).forEach((g, i) => {
      if (!isUint(g, 0xfffffffe)) throw fail(`user.groups[${i}]`, 'must be an integer in 0..4294967294');
    });
    if ((spec.user.groups ?? []).length > 65536) throw fail('user.groups', 'more than NGROUPS_MAX (65536)');
  }
  if (spec.capabilities) {
    const c = spec.capabilities;
    for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const) {
      if (typeof c[set] !== 'bigint' || c[set] < 0n || c[set] >= 1n << 64n) throw fail(`capabilities.${set}`, 'must be a 64-bit bigint mask');
    }
    if ((c.effective & ~c.permitted) !== 0n) throw fail('capabilities.effective', 'must be a subset of permitted');
    if ((c.ambient & ~(c.permitted & c.inheritable)) !== 0n)
      throw fail('capabilities.ambient', 'must be a subset of permitted and inheritable', 'see capabilities(7), "Ambient capability set"');
    if (c.securebits !== undefined && !isUint(c.securebits, 0xfff)) throw fail('capabilities.securebits', 'must be a mask of SECBIT_* flags (12 bits)');
  }
  if (spec.seccomp) {
    const len = spec.seccomp.filter?.length;
    if (!(spec.seccomp.filter instanceof Uint8Array) || len % 8 !== 0 || len === 0)
      throw fail('seccomp.filter', 'must be a non-empty Uint8Array of 8-byte sock_filter instructions');
    if (len / 8 > 4096) throw fail('seccomp.filter', `has ${len / 8} instructions; BPF_MAXINSNS is 4096`);
    if (spec.seccomp.flags !== undefined && !isUint(spec.seccomp.flags)) throw fail('seccomp.flags', 'must be a non-negative integer');
  }
  const stdio = spec.stdio ?? ['pipe', 'pipe', 'pipe'];
  if (!Array.isArray(stdio) || stdio.length !== 3) throw fail('stdio', 'must have exactly three entries');
  stdio.forEach((s, i) => {
    if (!(s === 'pipe' || s === 'inherit' || s === 'ignore' || (Number.isInteger(s) && (s as number) >= 0))) {
      throw fail(`stdio[${i}]`, "must be 'pipe', 'inherit', 'ignore' or an open fd");
    }
  });
  (spec.extraFds ?? []).forEach((fd, i) => {
    if (!Number.isInteger(fd) || fd < 0) throw fail(`extraFds[${i}]`, 'must be an open fd');
  });
  if ((spec.extraFds ?? []).length > 256) throw fail('extraFds', 'at most 256 extra fds');
  if (spec.controllingTerminal && !spec.setsid) throw fail('controllingTerminal', 'needs setsid: true');
}
