import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Cgroup } from '@kc/cgroups';
import { Criu } from '@kc/criu';
import { ContainerError } from '../errors.js';
import { asContainerError, cgroupDirsOf, createContainerCgroup, openContainerCgroup } from '../internal/container-cgroup.js';
import { existingCgroupDirectories } from '../internal/cgroup-ownership.js';
import { crashPoint } from '../internal/crash-point.js';
import { OCI_VERSION } from '../oci/default-config.js';
import { validateConfig } from '../oci/validate.js';
import { pidStartTime, signalRecordedProcess, StateStore } from '../state/state-store.js';
import { cgroupPlan, readBundleConfig } from './create.js';
import type { OciConfig } from '../oci/types.js';
import { type ContainerRecord, reservedRecord } from '../state/container-record.js';
import { parseMountOptions, MS } from '../translate/mount-options.js';

/** Options of {@link Container.checkpoint}. */
export interface CheckpointOptions {
  /** Where CRIU writes the images (created if missing). */
  imagesDir: string;
  /** Keep the container running after the dump. Default false: it stops. */
  leaveRunning?: boolean;
  /** Where CRIU writes its log; default `imagesDir`. */
  workDir?: string;
}

/**
 * Bind mounts from the host are external to the container's mount namespace:
 * CRIU records them by key (the destination, as runc does) and restore maps
 * the key back to a host path.
 */
export function externalBindMounts(config: OciConfig): { destination: string; source: string }[] {
  return (config.mounts ?? [])
    .filter((m) => m.type === 'bind' || (parseMountOptions(m.options).flags & MS.BIND) !== 0)
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
function commonCriuOptions(record: ContainerRecord) {
  const binds = externalBindMounts(record.config);
  const masked = maskedFiles(record.config);
  return {
    root: record.rootfs,
    // kc-init made the container's first process a session leader, so no --shell-job.
    shellJob: false,
    // CRIU's cgroup dump trips over other named v1 hierarchies on the host (they appear in every
    // /proc/PID/cgroup); kc owns the container's cgroups anyway and moves the restored tree into them.
    manageCgroups: 'ignore' as const,
    binds,
    masked,
  };
}

/**
 * Dumps the container's process tree with CRIU (through `@kc/criu`), frozen
 * by its own freezer cgroup.
 */
export async function checkpointRecord(record: ContainerRecord, options: CheckpointOptions): Promise<void> {
  const imagesDir = resolve(options.imagesDir);
  mkdirSync(imagesDir, { recursive: true });
  const c = commonCriuOptions(record);
  const outside = outsideStdio(record.pid);
  writeFileSync(join(imagesDir, 'descriptors.json'), JSON.stringify(outside));
  const criu = new Criu();
  await criu.dump({
    external: outside.map((d) => d.key),
    pid: record.pid,
    imagesDir,
    workDir: options.workDir,
    root: c.root,
    shellJob: c.shellJob,
    manageCgroups: c.manageCgroups,
    // On dump the map goes from a mountpoint to an external id (criu(8) --ext-mount-map).
    extMounts: Object.fromEntries([...c.binds.map((b) => [b.destination, b.destination]), ...c.masked.map((p) => [p, '/dev/null'])]),
    leaveRunning: options.leaveRunning ?? false,
    freezeCgroup: record.cgroupDirs.freezer,
  });
}

/** Restores a dumped tree as the process of `record` (whose cgroups exist); returns its host pid, also given to `onRestored` as soon as CRIU reports it. */
export async function restoreRecord(record: ContainerRecord, imagesDir: string, workDir?: string, onRestored?: (pid: number) => void): Promise<number> {
  const c = commonCriuOptions(record);
  const outside = readDescriptors(imagesDir);
  const fds = outside.map((d) => openSync(d.path, 'r+'));
  const criu = new Criu();
  const r = await criu
    .restore({
      inheritFds: outside.map((d, i) => ({ key: d.key, fd: fds[i] as number })),
      imagesDir: resolve(imagesDir),
      workDir,
      root: c.root,
      shellJob: c.shellJob,
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
export interface RestoreOptions {
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
}

/**
 * Restores a checkpointed container under `id`: recreates its cgroups with
 * the config's limits, has CRIU restore the tree into them (it stays a
 * running container kc manages), and records the state. Undoes all on failure.
 */
export async function restoreContainer(options: RestoreOptions): Promise<ContainerRecord> {
  const bundle = resolve(options.bundle);
  const config = validateConfig(readBundleConfig(bundle));
  const store = new StateStore(options.root);
  const rootfs = isAbsolute(config.root?.path ?? '') ? (config.root?.path as string) : join(bundle, config.root?.path ?? 'rootfs');
  const plan = cgroupPlan(config, options.id);
  // Write-ahead, as create (see CreateStage): a crash at any point leaves a record `kc delete -f` can act on.
  const record = reservedRecord({ id: options.id, bundle, config, cgroupPath: plan.path, rootfs, started: true }, OCI_VERSION);
  const releaseLock = store.reserve(record);
  let locked = true;
  let cgroup: Cgroup | undefined;
  try {
    crashPoint('restore:reserved');
    record.stage = 'cgroup';
    record.cgroupPreexisting = existingCgroupDirectories(plan.path);
    store.save(record);
    cgroup = createContainerCgroup(plan.path, plan.resources);
    record.stage = 'spawning';
    record.cgroupDirs = cgroupDirsOf(cgroup);
    record.cgroupCreated = [...cgroup.createdDirectories];
    delete record.cgroupPreexisting;
    store.save(record);
    crashPoint('restore:cgroup');
    const pid = await restoreRecord(record, options.imagesDir, options.workDir, (restored) => {
      record.stage = 'spawned';
      record.pid = restored;
      record.pidStartTime = pidStartTime(restored);
      store.save(record);
    });
    delete record.stage;
    store.save(record);
    if (options.pidFile) writeFileSync(options.pidFile, String(pid));
    return record;
  } catch (e) {
    signalRecordedProcess(record.pid, record.pidStartTime, 9); // the restored tree, should it still be outside its cgroup
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

/** A standard stream of the container that is a host file (e.g. /dev/null): external to CRIU. */
interface OutsideFd {
  fd: number;
  /** CRIU's external key, `file[MNT_ID:INODE]` in hex (criu/files-reg.c). */
  key: string;
  path: string;
}

/**
 * Stdio fds of `pid` that are host files (outside the container's mounts):
 * CRIU cannot dump them, so like runc they are declared external at dump and
 * handed back (re-opened) with --inherit-fd at restore. Pipes and sockets
 * are dumped by CRIU itself.
 */
function outsideStdio(pid: number): OutsideFd[] {
  const out: OutsideFd[] = [];
  for (const fd of [0, 1, 2]) {
    let path: string;
    try {
      path = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (!path.startsWith('/')) continue;
    const mnt = /^mnt_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
    if (!mnt) continue;
    const ino = statSync(`/proc/${pid}/fd/${fd}`).ino;
    const key = `file[${Number(mnt[1]).toString(16)}:${ino.toString(16)}]`;
    if (!out.some((o) => o.key === key)) out.push({ fd, key, path });
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
