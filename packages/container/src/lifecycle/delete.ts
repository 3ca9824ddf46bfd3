/**
 * `delete` by id, for a container in any state and for whatever a crashed
 * `create` left (issue #19): it reads the record under the container's lock
 * and removes what the record names, in an order that keeps the record
 * until the end, so a delete cut short can be repeated:
 * 1. the first process, through a pidfd checked against the recorded start
 *    time (never a recycled pid);
 * 2. the cgroup's members and the directories kc made (none before stage
 *    `cgroup`; see cgroup-ownership.ts); with the systemd driver, the scope
 *    unit, stopped through systemd;
 * 3. the root overlay mount, if kc was given one;
 * 4. the state directory: fifo and temporary files, then the record, then
 *    the lock and the directory.
 * Then the `poststop` hooks run.
 */
import { type KcProcess, rawMount } from '@kc/native';
import { ContainerError } from '../errors.js';
import { recordedCgroup } from '../internal/cgroup-ownership.js';
import { asContainerError, containerCgroupPath, deleteContainerCgroup } from '../internal/container-cgroup.js';
import { crashPoint } from '../internal/crash-point.js';
import { stopSystemdScope } from '../internal/systemd-scope.js';
import type { ContainerRecord } from '../state/container-record.js';
import { sameProcessAlive, type StateStore, signalRecordedProcess } from '../state/state-store.js';
import { type HookFailureHandler, runHooksReporting } from './hooks.js';
import { containerStatus, ociState } from './status.js';

/** Options of {@link Container.delete} and {@link Container.remove}. */
export interface ContainerDeleteOptions {
  /** Kill the container first when it runs or is paused (`kc delete -f`); also makes an unknown id a no-op, as runc's `delete -f`. */
  force?: boolean;
  /** Receives failed poststop hooks. Default: a process warning. */
  onHookFailure?: HookFailureHandler;
}

/**
 * Options of {@link Container.delete} and {@link Container.remove}.
 * @deprecated use {@link ContainerDeleteOptions}: `DeleteOptions` of `@kc/cgroups` deletes a cgroup.
 */
export type DeleteOptions = ContainerDeleteOptions;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Deletes container `id` of `store` (see the file comment). `own` is the
 * first process's handle when this Node process created it (its exit is
 * awaited so nothing is left unreaped). Returns the record it removed, or
 * undefined when there was none (only with `force`).
 *
 * Privileges: root (signals, cgroup filesystem, umount).
 * @throws {ContainerError} NOT_FOUND for an unknown id without `force`;
 *   INVALID_STATE when it runs and `force` is not set; EBUSY when another kc
 *   process holds the container's lock too long.
 */
export async function deleteContainer(
  store: StateStore,
  id: string,
  options: ContainerDeleteOptions = {},
  own?: KcProcess | null,
): Promise<ContainerRecord | undefined> {
  let removed: ContainerRecord | undefined;
  // A kc killed while reserving an id leaves a hidden directory not yet named by it: remove those of dead processes too.
  store.sweepReservations();
  try {
    await store.withLock(id, async () => {
      crashPoint('delete:locked');
      let record: ContainerRecord;
      try {
        record = store.load(id);
      } catch (e) {
        // A directory without a record (a removal cut short after the record went): finish it.
        if (e instanceof ContainerError && e.code === 'NOT_FOUND') store.remove(id);
        // A torn record (a machine crash during an unfinished create, whose stage records are not fsync'd): nothing it
        // named can have survived the crash, so the directory is all there is to remove.
        if (options.force && e instanceof ContainerError && e.code === 'INVALID_FORMAT') {
          store.remove(id);
          throw new ContainerError(`container "${id}" does not exist`, { code: 'NOT_FOUND' });
        }
        throw e;
      }
      const path = record.cgroupPath ?? containerCgroupPath(record.config.linux?.cgroupsPath, id);
      const cgroup = recordedCgroup(record, path);
      const group = cgroup.kind === 'group' ? cgroup.group : undefined;
      const status = containerStatus(record, store.fifoPath(id), () => {
        try {
          return group?.frozen ?? false;
        } catch {
          return false;
        }
      });
      if ((status === 'running' || status === 'paused') && !options.force) {
        throw new ContainerError(`cannot delete container "${id}": it is ${status}`, {
          code: 'INVALID_STATE',
          hint: 'it must be stopped or created (or pass force)',
        });
      }
      const signalled = signalRecordedProcess(record.pid, record.pidStartTime, 9);
      // A paused container keeps the SIGKILL pending until its group is thawed: queue it, then thaw (as runc does).
      if (status === 'paused' && group) await group.thaw().catch(() => undefined);
      if (signalled) {
        for (let i = 0; i < 2000 && sameProcessAlive(record.pid, record.pidStartTime); i++) await sleep(2);
      }
      if (own) await own.exited.catch(() => undefined);
      crashPoint('delete:killed');
      if (record.systemdScope) {
        // systemd's scope (named ahead at stage `cgroup`): stopped by name through systemd, which removes its directory.
        if (record.stage !== 'reserved') await stopSystemdScope(record.systemdScope.path, `cannot stop the systemd scope of container "${id}"`);
      } else if (cgroup.kind === 'group' && cgroup.group) {
        const message = `cannot remove the cgroup of container "${id}"`;
        if (cgroup.killMembers) await deleteContainerCgroup(cgroup.group, cgroup.made, message);
        else {
          // Stage `cgroup`: no container process can be in it yet; remove only what kc made.
          await cgroup.group.delete({ kill: false, directories: cgroup.made ?? [] }).catch((e: unknown) => {
            throw asContainerError(e, message);
          });
        }
      }
      crashPoint('delete:cgroup');
      if (record.overlayMount) {
        try {
          rawMount().umount2(record.overlayMount, 2 /* MNT_DETACH */);
        } catch {
          /* already unmounted */
        }
      }
      store.remove(id);
      removed = record;
    });
  } catch (e) {
    if (options.force && e instanceof ContainerError && e.code === 'NOT_FOUND') return undefined;
    throw e;
  }
  const hooks = removed?.config.hooks;
  if (removed && hooks?.poststop?.length) {
    await runHooksReporting('poststop', hooks, ociState(removed, 'stopped'), { where: 'runtime', cwd: removed.bundle }, options.onHookFailure);
  }
  return removed;
}
