/**
 * The container's cgroup through systemd (issue #15): a transient scope
 * with `Delegate=yes`, made by `@kc/cgroups`' systemd driver.
 *
 * systemd refuses a scope without a process, yet the container's first
 * process must be inside its cgroup from its first instruction (DESIGN.md
 * "the child is the trust boundary": CLONE_INTO_CGROUP). So the scope is
 * started around a placeholder: kc-init, waiting on a hand-off socket whose
 * other end only this kc process holds (kc-init's create protocol, with no
 * exec fifo; it is never sent the byte). The container is then spawned
 * straight into the scope's directory and the placeholder killed and
 * reaped. If kc dies meanwhile, the socket closes and the placeholder exits
 * by itself (status 125), so nothing of it outlives kc. runc avoids the
 * placeholder because its init is already a process when the scope starts;
 * a two-phase native spawn would give kc that too, at the cost of running
 * the child's config-controlled setup after a pause in the parent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { type CgroupDriver, createCgroupDriver, type Resources, SystemdCgroup, SystemdError } from '@kc/cgroups';
import { rawSocket, translateNative } from '@kc/native';
import { ContainerError } from '../errors.js';
import { asContainerError } from './container-cgroup.js';
import { openKcInit } from './kc-init.js';

/** Where cgroup v2 is mounted on a unified host (the only layout the systemd driver takes). */
const V2_MOUNT = '/sys/fs/cgroup';

/** A process that only waits, to start a scope with. */
export interface Placeholder {
  /** Its pid. */
  readonly pid: number;
  /** Kills and reaps it (idempotent). */
  release(): Promise<void>;
}

/** Starts the placeholder: kc-init blocked on its hand-off socket, stdio closed. */
export function startPlaceholder(): Promise<Placeholder> {
  const initFd = openKcInit(); // shared and sealed: not closed here
  const [kcEnd, initEnd] = translateNative(ContainerError, () => rawSocket().seqpacketPair());
  let child: ChildProcess;
  try {
    // Node dup2s stdio[3] and stdio[4] to fds 3 and 4 in the child (clearing close-on-exec): kc-init SELF_FD=3, no fifo, HANDOFF_FD=4.
    child = spawn('/proc/self/fd/3', ['3', '-1', '4', 'exec', '-', '--', 'kc-scope-placeholder'], {
      argv0: 'kc-init',
      stdio: ['ignore', 'ignore', 'ignore', initFd, initEnd],
    });
  } finally {
    closeSync(initEnd);
  }
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let released = false;
  const release = async () => {
    if (!released) {
      released = true;
      child.kill('SIGKILL');
      closeSync(kcEnd);
    }
    await exited;
  };
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      void release();
      reject(new ContainerError(`cannot start kc-init to hold the systemd scope: ${e.message}`, { code: 'EIO', cause: e }));
    });
    child.once('spawn', () => resolve({ pid: child.pid as number, release }));
  });
}

/**
 * Checks, before anything is created, what the systemd driver needs that kc
 * can see itself: cgroup v2 alone, and no scope of that name already (its
 * cgroup directory exists while the unit runs): kc never takes over or stops
 * a unit it did not start.
 * @throws {ContainerError} UNSUPPORTED on a legacy or hybrid host; EBUSY naming `linux.cgroupsPath` when the scope exists.
 */
export function refuseSystemdTarget(target: { path: string; systemdPath: string; unit: string }, unified: boolean): void {
  if (!unified) {
    throw new ContainerError('the systemd cgroup driver needs cgroup v2 alone (a unified host); this host mounts cgroup v1 hierarchies', {
      code: 'UNSUPPORTED',
      field: 'linux.cgroupsPath',
      hint: 'use a cgroupfs path (e.g. /kc/<id>) and no --systemd-cgroup, or boot with systemd.unified_cgroup_hierarchy=1',
    });
  }
  if (existsSync(join(V2_MOUNT, target.path))) {
    throw new ContainerError(`systemd scope ${target.unit} already exists`, {
      code: 'EBUSY',
      field: 'linux.cgroupsPath',
      path: target.unit,
      hint: `kc does not share a scope with processes it did not start: name another one, or stop it (systemctl stop ${target.unit})`,
    });
  }
}

/**
 * Starts the scope `systemdPath` (`slice:prefix:name`) around `placeholder`
 * with `resources`. On failure the driver has already stopped the unit.
 * @throws {ContainerError} wrapping the {@link CgroupError} / {@link SystemdError} (same code, hint).
 */
export async function createSystemdScope(systemdPath: string, placeholder: Placeholder, resources: Resources): Promise<SystemdCgroup> {
  try {
    return (await createCgroupDriver(systemdPath, { driver: 'systemd', pid: placeholder.pid, resources })) as CgroupDriver as SystemdCgroup;
  } catch (e) {
    throw asSystemdContainerError(e, `cannot create systemd scope for ${systemdPath}`);
  }
}

/**
 * Stops the container's scope by name (delete, and the undo of a crashed
 * create): SIGKILL to every member through systemd, StopUnit, reset-failed.
 * @throws {ContainerError} wrapping a systemd failure.
 */
export async function stopSystemdScope(systemdPath: string, message: string): Promise<void> {
  await SystemdCgroup.stop(systemdPath).catch((e: unknown) => {
    throw asSystemdContainerError(e, message);
  });
}

/** Opens the running scope for `kc update`. @throws {ContainerError} NOT_FOUND when systemd has no such unit. */
export async function openSystemdScope(systemdPath: string): Promise<SystemdCgroup> {
  try {
    return await SystemdCgroup.open(systemdPath);
  } catch (e) {
    throw asSystemdContainerError(e, `cannot open systemd scope ${systemdPath}`);
  }
}

/** A cgroup or systemd error as a {@link ContainerError}, keeping code and hint; a {@link SystemdError}'s unit becomes `path`. */
export function asSystemdContainerError(e: unknown, message: string): unknown {
  if (e instanceof SystemdError && e.path === undefined && e.unit !== undefined) {
    return new ContainerError(`${message}: ${e.message}`, { code: e.code, path: e.unit, ...(e.hint ? { hint: e.hint } : {}), cause: e });
  }
  return asContainerError(e, message);
}
