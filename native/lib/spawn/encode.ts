import { CLONE_FLAGS, RLIMIT_NUMBERS } from './constants.js';
import type { MountStep, ProcessSpec, RlimitSpec } from './spec.js';

/** TLV tags, the same numbers as `enum kc_tag` in native/include/kc/plan.h (a unit test compares them). */
export const TAG = {
  FLAGS: 1,
  PATH: 2,
  ARG: 3,
  ENV: 4,
  CWD: 5,
  HOSTNAME: 6,
  DOMAINNAME: 7,
  UID_MAP: 8,
  GID_MAP: 9,
  SETGROUPS: 10,
  ID_MAP_HELPER: 11,
  CGROUP_FD: 12,
  CGROUP_PROCS: 13,
  SETNS: 14,
  JOIN_PIDFD: 15,
  TIMENS: 16,
  MOUNT: 17,
  SYSCTL: 18,
  RLIMIT: 19,
  OOM_SCORE_ADJ: 20,
  USER: 21,
  GROUPS: 22,
  CAPS: 23,
  SECUREBITS: 24,
  NNP: 25,
  SECCOMP: 26,
  STDIO: 27,
  EXTRA_FDS: 28,
  SETSID: 29,
  CTTY: 30,
  PDEATHSIG: 31,
  CAP_LAST: 32,
  ENV_INHERIT: 33,
  FAULT: 34,
  UMASK: 35,
  NULL_FALLBACK: 36,
} as const;

/** Mount step kinds, the same numbers as `enum kc_mount_kind` (a unit test compares them). */
export const MOUNT_KIND = {
  rootfs: 1,
  mount: 2,
  idmap: 3,
  pivot: 4,
  chroot: 5,
  mkdir: 6,
  symlink: 7,
  mknod: 8,
  mask: 9,
  readonly: 10,
  remount: 11,
  propagation: 12,
  umount: 13,
  setattr: 14,
  attach: 15,
} as const;

/**
 * A stdio slot of the plan that the child fills by opening `/dev/null` in its
 * own root after the mounts (`KC_STDIO_DEV_NULL` in plan.h): what `'ignore'` becomes.
 */
export const STDIO_DEV_NULL = -2;

/** `kc_mount_op.opflags` bits, the same as the `KC_MNT_*` defines in plan.h. */
export const OPFLAG = { CREATE_DIR: 1, CREATE_FILE: 2, RDONLY_BIND: 4, SOURCE_IN_ROOT: 8, RECURSIVE: 16, NO_SUBMOUNTS: 32 } as const;

const RLIM_INFINITY = 0xffffffffffffffffn;

/** Fds and derived values the encoder needs besides the spec. */
export interface EncodeContext {
  /** Fds of the caller that become the child's 0, 1, 2: its own fd for `'inherit'`/a number, {@link STDIO_DEV_NULL} for `'ignore'`, a pipe end for `'pipe'`. */
  stdio: [number, number, number];
  /** setns targets resolved to fds (paths opened by the caller). */
  joins: {
    /** An open namespace fd. */
    fd: number;
    /** Its CLONE_NEW* value (see {@link CLONE_FLAGS}), the setns(2) `nstype`. */
    nstype: number;
  }[];
  /** The caller's `/dev/null`, used for {@link STDIO_DEV_NULL} slots only when the child's root has none (a bare rootfs): absent for none. */
  nullFallback?: number;
  /** The highest capability number of the running kernel (`/proc/sys/kernel/cap_last_cap`), bounding the PR_CAPBSET_DROP loop. */
  capLast: number;
  /** The parent-death signal number (PR_SET_PDEATHSIG), already resolved from a name; absent for none. */
  signal?: number;
  /** Index of a step that must fail with ECANCELED (fault-injection tests only). */
  faultStep?: number;
}

class Writer {
  #chunks: Buffer[] = [];

  record(tag: number, payload: Buffer): void {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(tag, 0);
    head.writeUInt32LE(payload.length, 4);
    this.#chunks.push(head, payload);
  }

  str(tag: number, s: string): void {
    this.record(tag, Buffer.from(`${s}\0`));
  }

  i32(tag: number, ...values: number[]): void {
    const b = Buffer.alloc(4 * values.length);
    values.forEach((v, i) => b.writeInt32LE(v, 4 * i));
    this.record(tag, b);
  }

  u32(tag: number, ...values: number[]): void {
    const b = Buffer.alloc(4 * values.length);
    values.forEach((v, i) => b.writeUInt32LE(v >>> 0, 4 * i));
    this.record(tag, b);
  }

  u64(tag: number, ...values: bigint[]): void {
    const b = Buffer.alloc(8 * values.length);
    values.forEach((v, i) => b.writeBigUInt64LE(BigInt.asUintN(64, v), 8 * i));
    this.record(tag, b);
  }

  /** Many string records of one tag in a single allocation (the environment can have hundreds). */
  strs(tag: number, items: readonly string[]): void {
    if (items.length === 0) return;
    const bodies = items.map((s) => Buffer.from(`${s}\0`));
    const total = bodies.reduce((n, b) => n + 8 + b.length, 0);
    const out = Buffer.allocUnsafe(total);
    let off = 0;
    for (const b of bodies) {
      out.writeUInt32LE(tag, off);
      out.writeUInt32LE(b.length, off + 4);
      b.copy(out, off + 8);
      off += 8 + b.length;
    }
    this.#chunks.push(out);
  }

  flag(tag: number): void {
    this.record(tag, Buffer.alloc(0));
  }

  finish(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

/** The text of a uid_map/gid_map file. */
export function idMapText(map: readonly { containerId: number; hostId: number; size: number }[]): string {
  return map.map((e) => `${e.containerId} ${e.hostId} ${e.size}\n`).join('');
}

function rlimitValue(v: RlimitSpec['soft']): bigint {
  return v === 'unlimited' ? RLIM_INFINITY : BigInt(v);
}

function mountRecord(w: Writer, m: MountStep): void {
  let opflags = 0;
  let flags = 0n;
  let propagation = 0n;
  let mode = 0;
  let major = 0;
  let minor = 0;
  let fd = -1;
  let source = '';
  let target = '';
  let fstype = '';
  let data = '';
  switch (m.kind) {
    case 'rootfs':
      source = m.path;
      target = m.mountPoint ?? '';
      propagation = BigInt(m.propagation ?? 0);
      if (m.recursive === false) opflags |= OPFLAG.NO_SUBMOUNTS;
      break;
    case 'mount':
      source = m.source ?? '';
      target = m.target;
      fstype = m.fstype ?? '';
      data = m.data ?? '';
      flags = BigInt(m.flags ?? 0);
      propagation = BigInt(m.propagation ?? 0);
      if (m.create === 'dir') opflags |= OPFLAG.CREATE_DIR;
      if (m.create === 'file') opflags |= OPFLAG.CREATE_FILE;
      if (m.readonly) opflags |= OPFLAG.RDONLY_BIND;
      if (m.sourceInRoot) opflags |= OPFLAG.SOURCE_IN_ROOT;
      break;
    case 'idmap':
      source = m.source;
      target = m.target;
      fd = m.usernsFd;
      if (m.recursive) opflags |= OPFLAG.RECURSIVE;
      if (m.create === 'dir') opflags |= OPFLAG.CREATE_DIR;
      if (m.create === 'file') opflags |= OPFLAG.CREATE_FILE;
      break;
    case 'attach':
      target = m.target;
      fd = m.treeFd;
      if (m.create === 'dir') opflags |= OPFLAG.CREATE_DIR;
      if (m.create === 'file') opflags |= OPFLAG.CREATE_FILE;
      break;
    case 'pivot':
    case 'chroot':
      break;
    case 'mkdir':
      target = m.path;
      mode = m.mode ?? 0;
      break;
    case 'symlink':
      source = m.target;
      target = m.path;
      break;
    case 'mknod':
      target = m.path;
      mode = m.mode;
      major = m.major;
      minor = m.minor;
      break;
    case 'mask':
      target = m.path;
      break;
    case 'readonly':
      target = m.path;
      if (m.recursive) opflags |= OPFLAG.RECURSIVE;
      break;
    case 'setattr':
      // The head's two u64 slots carry attr_set and attr_clr (see KC_MNT_SETATTR in plan.h).
      target = m.target;
      flags = BigInt(m.set ?? 0);
      propagation = BigInt(m.clear ?? 0);
      if (m.recursive) opflags |= OPFLAG.RECURSIVE;
      break;
    case 'remount':
    case 'propagation':
      target = m.target;
      flags = BigInt(m.flags);
      break;
    case 'umount':
      target = m.target;
      flags = BigInt(m.flags ?? 0);
      break;
  }
  const head = Buffer.alloc(40);
  head.writeUInt32LE(MOUNT_KIND[m.kind], 0);
  head.writeUInt32LE(opflags, 4);
  head.writeBigUInt64LE(flags, 8);
  head.writeBigUInt64LE(propagation, 16);
  head.writeUInt32LE(mode >>> 0, 24);
  head.writeUInt32LE(major >>> 0, 28);
  head.writeUInt32LE(minor >>> 0, 32);
  head.writeInt32LE(fd, 36);
  w.record(TAG.MOUNT, Buffer.concat([head, Buffer.from(`${source}\0${target}\0${fstype}\0${data}\0`)]));
}

/** The clone flags for the namespaces a spec creates. */
export function cloneFlags(spec: ProcessSpec): number {
  return (spec.namespaces ?? []).reduce((f, k) => f | CLONE_FLAGS[k], 0);
}

/**
 * Serialises a validated spec into the TLV plan that native/src/plan.c
 * decodes. Pure: no fds are opened here.
 */
export function encodePlan(spec: ProcessSpec, ctx: EncodeContext): Buffer {
  const w = new Writer();
  w.u64(TAG.FLAGS, BigInt(cloneFlags(spec)));
  if (spec.path) w.str(TAG.PATH, spec.path);
  w.strs(TAG.ARG, spec.argv);
  // Without an explicit env the child gets the caller's environ, which Node keeps
  // in step with process.env (no copy through JavaScript).
  if (spec.env === undefined) w.flag(TAG.ENV_INHERIT);
  else {
    w.strs(
      TAG.ENV,
      Object.entries(spec.env)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${v}`),
    );
  }
  if (spec.cwd) w.str(TAG.CWD, spec.cwd);
  if (spec.umask !== undefined) w.u32(TAG.UMASK, spec.umask);
  if (ctx.nullFallback !== undefined) w.i32(TAG.NULL_FALLBACK, ctx.nullFallback);
  if (spec.hostname !== undefined) w.str(TAG.HOSTNAME, spec.hostname);
  if (spec.domainname !== undefined) w.str(TAG.DOMAINNAME, spec.domainname);
  if (spec.setgroups && spec.namespaces?.includes('user')) w.str(TAG.SETGROUPS, spec.setgroups);
  if (spec.uidMap) w.str(TAG.UID_MAP, idMapText(spec.uidMap));
  if (spec.gidMap) w.str(TAG.GID_MAP, idMapText(spec.gidMap));
  if (spec.idMapHelper) w.flag(TAG.ID_MAP_HELPER);
  if (spec.cgroup?.fd !== undefined) w.i32(TAG.CGROUP_FD, spec.cgroup.fd);
  for (const f of spec.cgroup?.procsFiles ?? []) w.str(TAG.CGROUP_PROCS, f);
  for (const j of ctx.joins) w.i32(TAG.SETNS, j.fd, j.nstype);
  if (spec.joinPidfd) {
    const flags = spec.joinPidfd.kinds.reduce((f, k) => f | CLONE_FLAGS[k], 0);
    w.i32(TAG.JOIN_PIDFD, spec.joinPidfd.pidfd, flags);
  }
  if (spec.timeOffsets) {
    const lines = Object.entries(spec.timeOffsets)
      .filter(([, v]) => v !== undefined)
      .map(([clock, v]) => {
        // Whole nanoseconds, carried so the fraction stays below one second (the kernel's rule).
        const total = BigInt(Math.round((v as number) * 1e9));
        const secs = total / 1_000_000_000n - (total % 1_000_000_000n < 0n ? 1n : 0n);
        const nsecs = total - secs * 1_000_000_000n;
        return `${clock} ${secs} ${nsecs}`;
      });
    if (lines.length) w.str(TAG.TIMENS, lines.join('\n'));
  }
  for (const m of spec.mounts ?? []) mountRecord(w, m);
  for (const [key, value] of Object.entries(spec.sysctl ?? {})) {
    w.record(TAG.SYSCTL, Buffer.from(`${key.replaceAll('.', '/')}\0${value}\0`));
  }
  for (const r of spec.rlimits ?? []) {
    const b = Buffer.alloc(24);
    b.writeInt32LE(RLIMIT_NUMBERS[r.resource], 0);
    b.writeBigUInt64LE(rlimitValue(r.soft), 8);
    b.writeBigUInt64LE(rlimitValue(r.hard), 16);
    w.record(TAG.RLIMIT, b);
  }
  if (spec.oomScoreAdj !== undefined) w.i32(TAG.OOM_SCORE_ADJ, spec.oomScoreAdj);
  if (spec.user) {
    w.u32(TAG.USER, spec.user.uid, spec.user.gid);
    w.u32(TAG.GROUPS, ...(spec.user.groups ?? []));
  }
  if (spec.capabilities) {
    const c = spec.capabilities;
    w.u64(TAG.CAPS, c.effective, c.permitted, c.inheritable, c.bounding, c.ambient);
    if (c.securebits !== undefined) w.i32(TAG.SECUREBITS, c.securebits);
    w.i32(TAG.CAP_LAST, ctx.capLast);
  }
  if (spec.noNewPrivileges) w.flag(TAG.NNP);
  if (spec.seccomp) {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(spec.seccomp.flags ?? 0, 0);
    head.writeUInt32LE(spec.seccomp.listener ? 1 : 0, 4);
    w.record(TAG.SECCOMP, Buffer.concat([head, Buffer.from(spec.seccomp.filter)]));
  }
  w.i32(TAG.STDIO, ...ctx.stdio);
  if (spec.extraFds?.length) w.i32(TAG.EXTRA_FDS, ...spec.extraFds);
  if (spec.setsid) w.flag(TAG.SETSID);
  if (spec.controllingTerminal) w.flag(TAG.CTTY);
  if (ctx.signal !== undefined) w.i32(TAG.PDEATHSIG, ctx.signal);
  if (ctx.faultStep !== undefined) w.i32(TAG.FAULT, ctx.faultStep);
  return w.finish();
}
