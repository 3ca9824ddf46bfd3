import { closeSync, openSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { isRawNativeError, SpawnError } from '../errors.js';
import { rawSpawn } from '../raw/spawn.js';
import { CLONE_FLAGS } from './constants.js';
import { encodePlan, STDIO_DEV_NULL } from './encode.js';
import { checkMountAttrSupport } from './mount-attr-support.js';
import { abortError, KcProcess, signalNumber } from './process.js';
import type { ProcessSpec, StdioOption } from './spec.js';
import { SPAWN_STEP_HINTS, SPAWN_STEPS } from './steps.js';
import { privilegeNote } from './privilege-hint.js';
import { validateSpec } from './validate.js';

let capLast: number | undefined;

/** The highest capability number of the running kernel (/proc/sys/kernel/cap_last_cap). */
function runningCapLast(): number {
  capLast ??= Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'), 10);
  return capLast;
}

/** Fds opened for one spawn and closed once it returns, whatever happens. */
class FdScope {
  readonly fds: number[] = [];
  add(fd: number): number {
    this.fds.push(fd);
    return fd;
  }
  close(): void {
    for (const fd of this.fds.splice(0)) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
  }
}

interface StdioEnds {
  child: [number, number, number];
  parent: [number | null, number | null, number | null];
}

function openStdio(stdio: readonly [StdioOption, StdioOption, StdioOption], scope: FdScope, parentFds: FdScope): StdioEnds {
  const child: [number, number, number] = [-1, -1, -1];
  const parent: [number | null, number | null, number | null] = [null, null, null];
  stdio.forEach((s, i) => {
    if (s === 'inherit') child[i] = i;
    else if (typeof s === 'number') child[i] = s;
    // The child opens /dev/null itself, in its own root (step dev_null): no host fd a checkpoint could not resolve.
    else if (s === 'ignore') child[i] = STDIO_DEV_NULL;
    else {
      const [r, w] = rawSpawn().pipe();
      // stdin: the child reads; stdout/stderr: the child writes.
      child[i] = scope.add(i === 0 ? r : w);
      parent[i] = parentFds.add(i === 0 ? w : r);
    }
  });
  return { child, parent };
}

function translate(e: unknown): unknown {
  if (!isRawNativeError(e)) return e;
  const step = e.stepIndex !== undefined ? SPAWN_STEPS[e.stepIndex] : undefined;
  const hint = step ? `${privilegeNote(step, e.code)}${SPAWN_STEP_HINTS[step]}` : undefined;
  const where = step ? `spawn step '${step}'${e.itemIndex !== undefined ? ` (item ${e.itemIndex})` : ''}` : 'spawn';
  return new SpawnError(`${where} failed: ${e.code}${e.path ? ` (${e.path})` : ''}${hint ? ` — ${hint}` : ''}`, {
    errno: e.errno,
    code: e.code,
    syscall: e.syscall,
    step,
    path: e.path,
    hint,
    cause: e,
  });
}

/**
 * Creates a process exactly as `spec` describes: new or joined namespaces,
 * id maps, cgroup placement, mounts and pivot_root, rlimits, user and groups,
 * capabilities, no_new_privs and seccomp are applied in the child, in the
 * fixed order of {@link SPAWN_STEPS}, before `execve`.
 *
 * Privileges: creating namespaces other than `user` needs CAP_SYS_ADMIN (or a
 * new user namespace in the same spec): a plain user can create all of them
 * together with `user`, map its own uid and gid to root (`uidMap`/`gidMap` of
 * size 1, `setgroups: 'deny'`), mount (a rootfs, `/tmp`, `/proc`), drop
 * capabilities and install seccomp; see examples/unprivileged-sandbox.ts.
 * Other id maps need root or `idMapHelper`; `cgroup` placement needs root or a
 * delegated cgroup. A permission error says "needs root (or ...)".
 *
 * @throws {@link SpawnError} with code `INVALID_ARGUMENT` (and `field`) for a bad
 * spec, before the kernel is touched; with code `UNSUPPORTED` (and `field`) for a
 * mount step the running kernel cannot apply (mount_setattr(2) before Linux
 * 5.12), also before; or with `step`, `errno`, `code`, `path`
 * and `hint` when a step failed in the child (the child is reaped, every fd
 * opened for it is closed).
 * @example
 * ```ts
 * import { spawn } from '@kc/native';
 * const p = spawn({ argv: ['/bin/hostname'], namespaces: ['uts', 'pid'], hostname: 'box' });
 * p.stdout!.pipe(process.stdout);
 * console.log(await p.exited); // { exitCode: 0, signal: null, core: false }
 * ```
 */
export function spawn(spec: ProcessSpec): KcProcess {
  if (spec.signal?.aborted) throw abortError(spec.signal);
  validateSpec(spec);
  checkMountAttrSupport(spec.mounts);
  const scope = new FdScope();
  const parentFds = new FdScope();
  try {
    const stdio = openStdio(spec.stdio ?? ['pipe', 'pipe', 'pipe'], scope, parentFds);
    const joins = (spec.join ?? []).map((j) => ({
      fd: j.fd ?? scope.add(openFile(j.path as string, j.kind)),
      nstype: CLONE_FLAGS[j.kind],
    }));
    // user first (it grants the rights to join the rest), mnt last (it changes the root).
    joins.sort((a, b) => rank(a.nstype) - rank(b.nstype));
    const plan = encodePlan(spec, {
      stdio: stdio.child,
      // Used by the child only when its root has no /dev/null at all (a bare rootfs), as kc always passed it.
      ...(stdio.child.includes(STDIO_DEV_NULL) ? { nullFallback: scope.add(openSync('/dev/null', 'r+')) } : {}),
      joins,
      capLast: runningCapLast(),
      signal: spec.parentDeathSignal === undefined ? undefined : signalNumber(spec.parentDeathSignal),
      faultStep: injectedFault(),
    });
    let raw: ReturnType<ReturnType<typeof rawSpawn>['spawn']>;
    try {
      raw = rawSpawn().spawn(plan);
    } catch (e) {
      throw translate(e);
    }
    const [stdinFd, stdoutFd, stderrFd] = stdio.parent;
    parentFds.fds.length = 0; // now owned by the streams
    const syncFd = raw.syncFd;
    return new KcProcess({
      pid: raw.pid,
      pidfd: raw.pidfd,
      stdin: stdinFd === null ? null : new Socket({ fd: stdinFd, readable: false, writable: true }),
      stdout: stdoutFd === null ? null : new Socket({ fd: stdoutFd, readable: true, writable: false }),
      stderr: stderrFd === null ? null : new Socket({ fd: stderrFd, readable: true, writable: false }),
      seccompListenerFd: raw.listenerFd >= 0 ? raw.listenerFd : null,
      ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
      ...(spec.signal ? { signal: spec.signal } : {}),
      lateError:
        syncFd >= 0
          ? () => {
              try {
                rawSpawn().spawnLateError(syncFd);
                return null;
              } catch (e) {
                return translate(e) as SpawnError;
              } finally {
                rawSpawn().closeFd(syncFd);
              }
            }
          : undefined,
    });
  } catch (e) {
    parentFds.close();
    throw e;
  } finally {
    scope.close();
  }
}

/**
 * Fault injection for tests: with KC_FAULT_STEP=<step name> in the environment,
 * that step of every spawn fails with ECANCELED, so tests can prove that a
 * failure at any step leaves nothing behind.
 */
function injectedFault(): number | undefined {
  const name = process.env.KC_FAULT_STEP;
  if (!name) return undefined;
  const i = (SPAWN_STEPS as readonly string[]).indexOf(name);
  return i < 0 ? undefined : i;
}

const JOIN_ORDER = ['user', 'cgroup', 'ipc', 'uts', 'net', 'pid', 'time', 'mnt'] as const;
function rank(nstype: number): number {
  return JOIN_ORDER.findIndex((k) => CLONE_FLAGS[k] === nstype);
}

function openFile(path: string, kind: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new SpawnError(`cannot open ${kind} namespace file ${path}: ${err.code}`, {
      code: err.code,
      errno: typeof err.errno === 'number' ? -err.errno : undefined,
      syscall: 'open',
      path,
      step: 'setns',
      hint: 'does the namespace file exist (a /proc/PID/ns/* entry or a bind-mounted file such as /run/netns/NAME)?',
      cause: e,
    });
  }
}
