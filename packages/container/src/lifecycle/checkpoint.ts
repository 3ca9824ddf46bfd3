import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Cgroup, SystemdCgroup } from '@kc/cgroups';
import { Criu } from '@kc/criu';
import { KcErrorCode } from '@kc/native';
import { ContainerError } from '../errors.js';
import { asContainerError, cgroupDirsOf, createContainerCgroup, openContainerCgroup } from '../internal/container-cgroup.js';
import { existingCgroupDirectories } from '../internal/cgroup-ownership.js';
import { crashPoint } from '../internal/crash-point.js';
import { createSystemdScope, type Placeholder, refuseSystemdTarget, startPlaceholder } from '../internal/systemd-scope.js';
import { OCI_VERSION } from '../oci/default-config.js';
import { validateConfig } from '../oci/validate.js';
import { pidStartTime, signalRecordedProcess, StateStore } from '../state/state-store.js';
import { cgroupPlan, readBundleConfig } from './create.js';
import {
  cgroupBindMounts,
  createRestoreMountpoints,
  isPipe,
  namespaceExternal,
  namespacesByPath,
  type OutsideFd,
  outsideStdio,
} from './checkpoint-externals.js';
import { hostCgroupLayout } from './host-context.js';
import type { OciConfig } from '../oci/types.js';
import { type ContainerRecord, reservedRecord } from '../state/container-record.js';
import { MS, parseOciMountOptions } from '../translate/mount-options.js';

/** Options of {@link Container.checkpoint}. */
export interface CheckpointOptions {
  /** Where CRIU writes the images (created if missing). */
  imagesDir: string;
  /** Keep the container running after the dump. Default false: it stops. */
  leaveRunning?: boolean;
  /** Where CRIU writes its log; default `imagesDir`. */
  workDir?: string;
  /** Only copy memory while the container runs on (`runc checkpoint --pre-dump`; `leaveRunning` is then moot); a later dump names these images in `parentPath`. */
  preDump?: boolean;
  /** A pre-dump's images, relative to `imagesDir` (`--parent-path`, e.g. `../pre-checkpoint`): only memory changed since is written. */
  parentPath?: string;
  /** How CRIU handles cgroups (`--manage-cgroups-mode`): kc moves the tree into cgroups it recreates itself, so only `ignore` and `soft` (which then restores nothing) mean what they say. */
  manageCgroupsMode?: 'ignore' | 'soft';
  /** Options shared with restore, given to CRIU as they are. */
  criu?: CriuFlags;
}

/** CRIU switches `runc checkpoint` and `runc restore` both take, passed to CRIU unchanged. */
export interface CriuFlags {
  /** Keep established TCP connections (`--tcp-established`; the netns must stay). */
  tcpEstablished?: boolean;
  /** Dump and restore file locks (`--file-locks`). */
  fileLocks?: boolean;
  /** Allow unix sockets connected outside the container (`--ext-unix-sk`). */
  extUnixSockets?: boolean;
  /** The tree's session is outside it (`--shell-job`). */
  shellJob?: boolean;
}

/**
 * Bind mounts from the host are external to the container's mount namespace:
 * CRIU records them by key (the destination, as runc does) and restore maps
 * the key back to a host path.
 */
export function externalBindMounts(config: OciConfig): { destination: string; source: string }[] {
  return (config.mounts ?? [])
    .filter((m) => m.type === 'bind' || (parseOciMountOptions(m.options).flags & MS.BIND) !== 0)
    .map((m) => ({ destination: m.destination, source: m.source ?? '' }));
}

/**
 * Masked files are /dev/null bind-mounted over /proc and /sys files: CRIU
 * cannot place that source inside the container's tree, so like runc they are
 * declared external with the key `/dev/null`. (Directories are masked with
 * tmpfs mounts, which CRIU dumps itself.) The host's /proc and /sys tell
 * which paths are files.
 */
export function maskedFiles(config: OciConfig): string[] {
  return (config.linux?.maskedPaths ?? []).filter((p) => {
    try {
      return !statSync(p).isDirectory();
    } catch {
      return false;
    }
  });
}

/** Options shared by dump and restore: root, cgroups, externals. */
function commonCriuOptions(record: ContainerRecord, flags: CriuFlags = {}) {
  const binds = [...externalBindMounts(record.config), ...cgroupBindMounts(record.config, record.cgroupDirs, hostCgroupLayout())];
  const masked = maskedFiles(record.config);
  return {
    root: record.rootfs,
    // kc-init made the container's first process a session leader, so no --shell-job unless asked.
    shellJob: flags.shellJob ?? false,
    tcpEstablished: flags.tcpEstablished ?? false,
    fileLocks: flags.fileLocks ?? false,
    extUnixSockets: flags.extUnixSockets ?? false,
    namespaces: namespacesByPath(record.config),
    // CRIU's cgroup dump trips over other named v1 hierarchies on the host (they appear in every
    // /proc/PID/cgroup); kc owns the container's cgroups anyway and moves the restored tree into them.
    manageCgroups: 'ignore' as const,
    binds,
    masked,
  };
}

/**
 * Dumps the container's process tree with CRIU (through `@kc/criu`), frozen
 * by its own freezer cgroup. kc freezes it first: the stdio it records for
 * restore (descriptors.json, the externals) is then read from the tree CRIU
 * dumps, not from one still running (a shell between opening a file and
 * moving it onto fd 1 would be misdeclared, and the dump would fail). CRIU
 * finds the group frozen and leaves it so; kc thaws it after the dump unless
 * it was paused before and is left running (the tree of a plain dump is
 * killed: thawed, it dies). `cgroup` is the container's own (its handle's).
 */
export async function checkpointRecord(record: ContainerRecord, options: CheckpointOptions, cgroup: Cgroup | undefined): Promise<void> {
  const group = record.cgroupDirs.freezer ? cgroup : undefined;
  const paused = group?.frozen ?? false;
  if (group && !paused) await group.freeze();
  let killed = false;
  try {
    await dumpFrozen(record, options);
    killed = !(options.leaveRunning || options.preDump);
  } finally {
    // A failed dump leaves the tree as it was: running, or paused.
    if (group && (!paused || killed)) await group.thaw();
  }
}

async function dumpFrozen(record: ContainerRecord, options: CheckpointOptions): Promise<void> {
  if (record.config.process?.terminal) {
    // The terminal's master side is held outside (conmon, a console socket): CRIU cannot dump it, and kc cannot hand a new one over at restore.
    throw new ContainerError('process.terminal: kc cannot checkpoint a container that has a terminal', {
      code: KcErrorCode.Unsupported,
      field: 'process.terminal',
      hint: 'run the container without a terminal (no -t) to checkpoint it',
    });
  }
  const imagesDir = resolve(options.imagesDir);
  mkdirSync(imagesDir, { recursive: true });
  const c = commonCriuOptions(record, options.criu);
  const outside = outsideStdio(record.pid);
  const files = outside.filter((d) => !isPipe(d));
  const shared = {
    // Host files and the namespaces podman owns are outside the tree (criu(8) --external); pipes CRIU dumps itself.
    external: [...files.map((d) => d.key), ...c.namespaces.external.map(namespaceExternal)],
    pid: record.pid,
    imagesDir,
    workDir: options.workDir,
    root: c.root,
    shellJob: c.shellJob,
    tcpEstablished: c.tcpEstablished,
    fileLocks: c.fileLocks,
    extUnixSockets: c.extUnixSockets,
    manageCgroups: options.manageCgroupsMode ?? c.manageCgroups,
    // On dump the map goes from a mountpoint to an external id (criu(8) --ext-mount-map).
    extMounts: Object.fromEntries([...c.binds.map((b) => [b.destination, b.destination]), ...c.masked.map((p) => [p, '/dev/null'])]),
    freezeCgroup: record.cgroupDirs.freezer,
    // Only the memory changed since the pre-dump; CRIU reads the soft-dirty bits the pre-dump started tracking.
    ...(options.parentPath ? { parentImages: options.parentPath, trackMemory: true } : {}),
  };
  const criu = new Criu();
  if (options.preDump) {
    await criu.preDump(shared);
    return;
  }
  writeFileSync(join(imagesDir, 'descriptors.json'), JSON.stringify(outside));
  await criu.dump({ ...shared, leaveRunning: options.leaveRunning ?? false });
}

/**
 * Restores a dumped tree as the process of `record` (whose cgroups exist); returns its host pid, also given to `onRestored` as soon as CRIU reports it.
 * With `inheritStdio`, the stdio pipes the dump saw are replaced by this process's own fds of the same numbers (what conmon hands `runc restore`).
 */
export async function restoreRecord(
  record: ContainerRecord,
  options: { imagesDir: string; workDir?: string; criu?: CriuFlags; inheritStdio?: boolean },
  onRestored?: (pid: number) => void,
): Promise<number> {
  const { imagesDir, workDir } = options;
  const c = commonCriuOptions(record, options.criu);
  createRestoreMountpoints(c.root, record.config, c.binds);
  const outside = readDescriptors(imagesDir);
  const fds: number[] = [];
  const inheritFds: { key: string; fd: number }[] = [];
  for (const d of outside) {
    if (isPipe(d)) {
      if (!options.inheritStdio) continue; // CRIU restores the pipe itself
      if (!isFifo(d.fd)) {
        fds.forEach((f) => closeSync(f));
        throw new ContainerError(
          `inheritStdio: fd ${d.fd} of this process is not a pipe, but the container's fd ${d.fd} was one (${d.key}) at the checkpoint`,
          {
            code: KcErrorCode.InvalidArgument,
            field: 'inheritStdio',
            hint: `give the restoring process a pipe as fd ${d.fd} (conmon does), or restore without inheritStdio`,
          },
        );
      }
      inheritFds.push({ key: d.key, fd: d.fd });
    } else {
      const fd = openSync(d.path, 'r+');
      fds.push(fd);
      inheritFds.push({ key: d.key, fd });
    }
  }
  for (const ns of c.namespaces.external) {
    let fd: number;
    try {
      fd = openSync(ns.path, 'r');
    } catch (e) {
      fds.forEach((f) => closeSync(f));
      throw asContainerError(e, `the ${ns.kind} namespace ${ns.path} the container was in must exist to restore it`);
    }
    fds.push(fd);
    inheritFds.push({ key: ns.key, fd });
  }
  const criu = new Criu();
  const r = await criu
    .restore({
      inheritFds,
      joinNamespaces: c.namespaces.joined,
      imagesDir: resolve(imagesDir),
      workDir,
      root: c.root,
      shellJob: c.shellJob,
      tcpEstablished: c.tcpEstablished,
      fileLocks: c.fileLocks,
      extUnixSockets: c.extUnixSockets,
      manageCgroups: c.manageCgroups,
      // On restore the map goes from the external id back to a host path.
      extMounts: Object.fromEntries([...c.binds.map((b) => [b.destination, b.source]), ...(c.masked.length ? [['/dev/null', '/dev/null']] : [])]),
      detached: true,
      leaveStopped: true,
    })
    .finally(() => fds.forEach((fd) => closeSync(fd)));
  // The tree stays stopped until it sits in the container's cgroups, then continues.
  // Recorded before anything else: the tree sits stopped outside the container's cgroup until it is moved below.
  onRestored?.(r.pid);
  crashPoint('restore:restored');
  const tree = processTree(r.pid);
  const cg = record.cgroupPath ? openContainerCgroup(record.cgroupPath) : undefined;
  if (!cg) throw new ContainerError(`the cgroup of container "${record.id}" is gone`, { code: 'NOT_FOUND', path: record.cgroupPath });
  try {
    for (const pid of tree) cg.addProcess(pid);
  } catch (e) {
    throw asContainerError(e, 'cannot move the restored tree into its cgroup');
  }
  for (const pid of tree) process.kill(pid, 'SIGCONT');
  return r.pid;
}

/** Options of {@link Container.restore}. */
export interface ContainerRestoreOptions {
  /** Id of the restored container. */
  id: string;
  /** Bundle holding the config.json (and rootfs) the container was created from. */
  bundle: string;
  /** The images of a {@link Container.checkpoint}. */
  imagesDir: string;
  /** State root. Default `/run/kc`. */
  root?: string;
  /** File to write the restored container's host pid to. */
  pidFile?: string;
  /** Where CRIU writes its log; default `imagesDir`. */
  workDir?: string;
  /** runc's global `--systemd-cgroup`: the restored container's cgroup is a transient systemd scope, as with a `slice:prefix:name` path (cgroup v2 alone). */
  systemdCgroup?: boolean;
  /** Options the checkpoint was taken with that restore must repeat (`--tcp-established`...). */
  criu?: CriuFlags;
  /**
   * Hand this process's fds 0-2 to the restored process in place of the
   * pipes its stdio were at the checkpoint, as `runc restore` does (conmon
   * gives it the pipes it reads for `podman logs`); each such fd must then be
   * a pipe. Default false: CRIU recreates those pipes, with nobody outside
   * at their other end.
   */
  inheritStdio?: boolean;
}

/**
 * Options of {@link Container.restore}.
 * @deprecated use {@link ContainerRestoreOptions}: `RestoreOptions` of `@kc/criu` restores a process tree.
 */
export type RestoreOptions = ContainerRestoreOptions;

/**
 * Restores a checkpointed container under `id`: recreates its cgroups with
 * the config's limits, has CRIU restore the tree into them (it stays a
 * running container kc manages), and records the state. Undoes all on failure.
 */
export async function restoreContainer(options: ContainerRestoreOptions): Promise<ContainerRecord> {
  const bundle = resolve(options.bundle);
  const config = validateConfig(readBundleConfig(bundle));
  const store = new StateStore(options.root);
  const rootfs = isAbsolute(config.root?.path ?? '') ? (config.root?.path as string) : join(bundle, config.root?.path ?? 'rootfs');
  const plan = cgroupPlan(config, options.id, options.systemdCgroup);
  if (plan.target.driver === 'systemd') refuseSystemdTarget(plan.target, hostCgroupLayout().version === 2);
  // Write-ahead, as create (see CreateStage): a crash at any point leaves a record `kc delete -f` can act on.
  const record = reservedRecord({ id: options.id, bundle, config, cgroupPath: plan.path, rootfs, started: true }, OCI_VERSION);
  const releaseLock = store.reserve(record);
  let locked = true;
  let cgroup: Cgroup | undefined;
  let scope: SystemdCgroup | undefined;
  let placeholder: Placeholder | undefined;
  try {
    crashPoint('restore:reserved');
    record.stage = 'cgroup';
    if (plan.target.driver === 'systemd') {
      // As create: systemd starts no empty scope, so it starts around a placeholder that only waits; CRIU's tree
      // is moved into the scope's cgroup below, and the placeholder goes once the tree is in.
      record.systemdScope = { path: plan.target.systemdPath, unit: plan.target.unit };
      record.cgroupCreated = []; // systemd removes the scope's directory when it stops the unit
      store.save(record);
      placeholder = await startPlaceholder();
      scope = await createSystemdScope(plan.target.systemdPath, placeholder, plan.resources);
      record.cgroupDirs = cgroupDirsOf(scope.cgroup);
    } else {
      record.cgroupPreexisting = existingCgroupDirectories(plan.path);
      store.save(record);
      cgroup = createContainerCgroup(plan.path, plan.resources);
      record.cgroupDirs = cgroupDirsOf(cgroup);
      record.cgroupCreated = [...cgroup.createdDirectories];
      delete record.cgroupPreexisting;
    }
    record.stage = 'spawning';
    store.save(record);
    crashPoint('restore:cgroup');
    const pid = await restoreRecord(record, options, (restored) => {
      record.stage = 'spawned';
      record.pid = restored;
      record.pidStartTime = pidStartTime(restored);
      store.save(record);
    });
    // The restored tree keeps the scope alive now.
    await placeholder?.release();
    delete record.stage;
    store.save(record);
    if (options.pidFile) writeFileSync(options.pidFile, String(pid));
    return record;
  } catch (e) {
    signalRecordedProcess(record.pid, record.pidStartTime, 9); // the restored tree, should it still be outside its cgroup
    if (scope) await scope.delete().catch(() => undefined); // stops the unit: its members (the tree, if moved in) die with it
    await placeholder?.release();
    if (cgroup) {
      try {
        await cgroup.delete({ kill: true, directories: cgroup.createdDirectories });
      } catch {
        /* keep undoing */
      }
    }
    store.remove(options.id);
    locked = false;
    throw e;
  } finally {
    scope?.close(); // the bus connection; a no-op after the undo's delete
    if (locked) releaseLock();
  }
}

/** `pid` and all its descendants (/proc/PID/task/TID/children, Linux 3.5+). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i] as number;
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean)) out.push(Number(c));
      } catch {
        /* exited */
      }
    }
  }
  return out;
}

function readDescriptors(imagesDir: string): OutsideFd[] {
  try {
    return JSON.parse(readFileSync(join(resolve(imagesDir), 'descriptors.json'), 'utf8')) as OutsideFd[];
  } catch {
    return [];
  }
}

/** Whether fd `fd` of this process is open and a pipe (fstat(2) S_ISFIFO). */
function isFifo(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}
