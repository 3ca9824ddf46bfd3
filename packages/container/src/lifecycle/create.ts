import { chmodSync, closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync, constants as fsc } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { type KcProcess, mountAttrSupport, type ProcessSpec, rawContainerIo, rawSocket, spawn, type StdioOption, translateNative } from '@kc/native';
import { ContainerError } from '../errors.js';
import type { Cgroup, Resources, SystemdCgroup } from '@kc/cgroups';
import { type CgroupTarget, cgroupTarget } from '../internal/cgroup-target.js';
import { cgroupDirsOf, createContainerCgroup } from '../internal/container-cgroup.js';
import { existingCgroupDirectories } from '../internal/cgroup-ownership.js';
import { crashPoint } from '../internal/crash-point.js';
import { prepareIdmappedMounts } from '../internal/idmapped-mounts.js';
import { openKcInit } from '../internal/kc-init.js';
import { hostIdentity, inUserNamespace, keptGroups, rootlessIdMaps } from '../internal/rootless.js';
import { askedLimits, createRootlessCgroup, ownCgroupDirs } from '../internal/rootless-cgroup.js';
import { configureNamespaces } from '../internal/net-adapter.js';
import { compileSeccomp } from '../internal/seccomp-adapter.js';
import { createSystemdScope, type Placeholder, refuseSystemdTarget, startPlaceholder } from '../internal/systemd-scope.js';
import { OCI_VERSION } from '../oci/default-config.js';
import { parseConfigJson } from '../oci/read-config.js';
import type { OciConfig } from '../oci/types.js';
import { validateConfig } from '../oci/validate.js';
import { type ContainerRecord, type CreateStage, reservedRecord } from '../state/container-record.js';
import { pidStartTime, StateStore } from '../state/state-store.js';
import { toProcessSpec } from '../translate/process-spec.js';
import { toCgroupResources, untranslatedResources } from '../translate/resources.js';
import { consoleArg, connectConsoleSocket } from './console.js';
import { type HookFailureHandler, runHooks, runHooksReporting } from './hooks.js';
import { hostCgroupLayout, isHostDirectory } from './host-context.js';
import { ociState } from './status.js';

/** Linux open(2) flags Node's fs.constants lacks. */
const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;

/** Options of {@link createContainer}. */
export interface CreateOptions {
  /** Container id: letters, digits, `_`, `.`, `-`. */
  id: string;
  /** Bundle directory (holds `config.json` and usually the rootfs). */
  bundle: string;
  /** The config; read from `<bundle>/config.json` when omitted. */
  config?: OciConfig;
  /** State root. Default `/run/kc`. */
  root?: string;
  /** The process's stdin, stdout, stderr. Default: inherit kc's. */
  stdio?: readonly [StdioOption, StdioOption, StdioOption];
  /** Unix socket to send the pty master to when `process.terminal` is true. */
  consoleSocket?: string;
  /** File to write the container's host pid to. */
  pidFile?: string;
  /** Keep kc-init as PID 1 to reap zombies and forward signals. Default false. */
  init?: boolean;
  /** An overlay mount kc made for the root, unmounted on delete. */
  overlayMount?: string;
  /** Receives failed poststop hooks, run when create fails after the id was reserved. Default: a process warning. */
  onHookFailure?: HookFailureHandler;
  /**
   * Kill the container's first process (SIGKILL, PR_SET_PDEATHSIG) when the
   * thread that created it exits, i.e. when this Node process dies (create
   * from the main thread; a worker's exit counts). Until `create` returns the
   * container dies with its creator anyway (see kc-init's hand-off); this
   * option extends that to the container's whole life. In a container
   * without its own pid namespace only the first process is killed; and a
   * set-user-ID program exec'd by it drops the signal (prctl(2)). Default false:
   * the container outlives its creator, as engines need.
   */
  killOnParentExit?: boolean;
  /**
   * runc's global `--systemd-cgroup`: systemd manages the cgroup, and
   * `linux.cgroupsPath` must be `slice:prefix:name` (absent:
   * `system.slice:kc:<id>`). Without it a path of that form still selects
   * systemd (see cgroup-target.ts). Default false.
   */
  systemdCgroup?: boolean;
  /**
   * runc's rootless mode (see rootless.ts): the cgroup is skipped when none
   * is writable and no limits are asked; and when the effective uid is not 0
   * the config must create a user namespace whose maps beyond the caller's
   * own ids go through newuidmap/newgidmap. Default: true when the effective
   * uid is not 0, or is 0 inside a user namespace (rootless podman).
   */
  rootless?: boolean;
}

/** What {@link createContainer} returns besides the record: the process when this Node process spawned it. */
export interface Created {
  /** The container's record, saved as `state.json` (status `created`, pid = the container's host pid). */
  record: ContainerRecord;
  /** The container's first process (kc-init, held on the exec fifo until `start`); its exit is observable only from this Node process. */
  process: KcProcess;
  /** The state store under `CreateOptions.root` that holds the record. */
  store: StateStore;
  /** The container's cgroup (from `@kc/cgroups`); undefined for a rootless container without one (see `CreateOptions.rootless`). */
  cgroup: Cgroup | undefined;
}

/**
 * Reads and parses `<bundle>/config.json`, numbers exactly (see {@link parseConfigJson}).
 * @throws {ContainerError} NOT_FOUND, or INVALID_ARGUMENT naming the field (`config` for broken JSON).
 */
export function readBundleConfig(bundle: string): unknown {
  const file = join(bundle, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ContainerError(code === 'ENOENT' ? `no config.json in bundle ${bundle}` : `cannot read ${file}: ${(e as Error).message}`, {
      code: code === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
      path: file,
      field: 'config',
      hint: 'write one with `kc spec`',
      cause: e,
    });
  }
  return parseConfigJson(text, file);
}

/**
 * Creates a container: validates the config, reserves the id under the state
 * root, creates its cgroups with the limits, and spawns its first process
 * with every namespace, mount, capability and seccomp setting applied, held
 * by kc-init on the exec fifo until `start`; then runs the `prestart`,
 * `createRuntime` and `createContainer` hooks (see hooks.ts). Anything done
 * is undone when a later step fails (a failing hook included), and the
 * `poststop` hooks then run.
 *
 * Crash consistency: the record is written before each side effect that can
 * outlive this process (see {@link CreateStage}) and this process holds the
 * container's lock throughout, so if it dies, `kc delete -f ID` finds and
 * removes what was made; and the held process dies with it until the
 * hand-off byte at the very end (see kc-init.c), after which the container
 * outlives its creator (unless `killOnParentExit`).
 *
 * Privileges: root (CAP_SYS_ADMIN for namespaces and mounts, write access to
 * the cgroup filesystem), or none in rootless mode (`CreateOptions.rootless`:
 * a user namespace, maps within /etc/subuid and /etc/subgid, limits only in
 * a delegated cgroup).
 * @throws {ContainerError} INVALID_ARGUMENT for a bad config (before any
 *   system call), EEXIST for a taken id; {@link @kc/native!SpawnError} when a setup step
 *   failed in the child.
 */
export async function createContainer(options: CreateOptions): Promise<Created> {
  const bundle = resolve(options.bundle);
  const config = validateConfig(options.config ?? readBundleConfig(bundle));
  const proc = config.process;
  if (proc?.terminal && !options.consoleSocket) {
    throw new ContainerError('process.terminal: a terminal needs a console socket', {
      code: 'INVALID_ARGUMENT',
      field: 'process.terminal',
      hint: 'pass --console-socket, or set "terminal": false',
    });
  }
  const store = new StateStore(options.root);
  const seccomp = compileSeccomp(config.linux?.seccomp);
  const layout = hostCgroupLayout();
  const rootfs = isAbsolute(config.root?.path ?? '') ? (config.root?.path as string) : join(bundle, config.root?.path ?? 'rootfs');
  const plan = cgroupPlan(config, options.id, options.systemdCgroup);
  if (plan.target.driver === 'systemd') refuseSystemdTarget(plan.target, layout.version === 2);
  // Rootless (runc's mode): the id maps are checked against /etc/subuid and /etc/subgid before anything is made.
  // euid 0 in a user namespace (rootless podman's runtime) is rootless for cgroups only: its maps are written as root of that namespace.
  const euid = process.geteuid?.() ?? 0;
  const rootless = options.rootless ?? (euid !== 0 || inUserNamespace());
  const caller = rootless && euid !== 0 ? hostIdentity() : undefined;
  const rootlessMaps = caller ? rootlessIdMaps(config, caller) : undefined;

  // Written before each side effect that can outlive this process (write-ahead, see CreateStage): a crash at any point leaves a record naming what may exist.
  const record = reservedRecord({ id: options.id, bundle, config, cgroupPath: plan.path, rootfs, started: false }, OCI_VERSION);
  if (options.overlayMount) record.overlayMount = options.overlayMount;

  const undo: (() => void | Promise<void>)[] = [];
  const fds: number[] = [];
  // kc's end of the hand-off channel: kc-init waits on it and exits if it closes before a byte arrives, i.e. if kc dies before create finished.
  let handoff: number | undefined;
  // systemd driver: the scope's handle (its bus connection closes when create ends) and the process the scope started with.
  let scope: SystemdCgroup | undefined;
  let placeholder: Placeholder | undefined;
  // The record is created with this process holding the container's lock: no other kc command acts on a half-made container.
  const releaseLock = store.reserve(record);
  let locked = true;
  try {
    crashPoint('create:reserved');
    // Runs last when create fails: runtime.md "Lifecycle" continues a failed create at delete, which ends with the poststop hooks.
    if (config.hooks?.poststop?.length) {
      undo.push(() =>
        runHooksReporting(
          'poststop',
          config.hooks,
          { ociVersion: OCI_VERSION, id: options.id, status: 'stopped', pid: 0, bundle, ...(config.annotations ? { annotations: config.annotations } : {}) },
          { where: 'runtime', cwd: bundle },
          options.onHookFailure,
        ),
      );
    }
    undo.push(() => {
      store.remove(options.id);
      locked = false;
    });
    record.stage = 'cgroup';
    let cgroup: Cgroup | undefined;
    if (plan.target.driver === 'systemd') {
      // Named before systemd is asked: `delete -f` after a crash here stops the unit by name (refuseSystemdTarget saw no scope of that name).
      record.systemdScope = { path: plan.target.systemdPath, unit: plan.target.unit };
      store.save(record);
      const hold = await startPlaceholder();
      placeholder = hold;
      undo.push(() => hold.release()); // runs after the scope's stop below (undo runs in reverse)
      const made = await createSystemdScope(plan.target.systemdPath, hold, plan.resources);
      scope = made;
      undo.push(() => made.delete());
      cgroup = made.cgroup;
      record.cgroupCreated = []; // systemd removes the scope's directory when it stops the unit
    } else {
      record.cgroupPreexisting = existingCgroupDirectories(plan.path);
      store.save(record);
      const fsGroup = rootless
        ? createRootlessCgroup(plan.path, plan.resources, askedLimits(config.linux?.resources), (m) =>
            process.emitWarning(m, { type: 'KcRootlessWarning', code: 'KC_ROOTLESS_NO_CGROUP' }),
          )
        : createContainerCgroup(plan.path, plan.resources);
      cgroup = fsGroup;
      // Only the directories kc made go: a reused (empty, pre-existing) group stays. Its members are the container's (create refused an occupied group).
      if (fsGroup) undo.push(() => fsGroup.delete({ kill: true, directories: fsGroup.createdDirectories }));
      else record.noCgroup = true;
      record.cgroupCreated = [...(fsGroup?.createdDirectories ?? [])];
      delete record.cgroupPreexisting;
    }
    const cgroupDirs = cgroup ? cgroupDirsOf(cgroup) : {};
    record.stage = 'spawning';
    record.cgroupDirs = cgroupDirs;
    store.save(record);
    crashPoint('create:cgroup');
    // The placement's v2 fd (CLONE_INTO_CGROUP) stays owned by the handle, released by delete.
    const placement = cgroup?.spawnPlacement();
    // Idmapped mounts: made here (the child, in its own user namespace, cannot idmap a host filesystem), attached by the child.
    const idmapped = await prepareIdmappedMounts(config);
    fds.push(...idmapped.trees.values());
    const spec: ProcessSpec = toProcessSpec(config, {
      idmappedTrees: idmapped.trees,
      rootfs,
      isDirectory: isHostDirectory,
      cgroupLayout: layout,
      // Without a group of its own the container shows kc's current one, as runc binds its init's.
      cgroupDirs: cgroup ? cgroupDirs : ownCgroupDirs(readFileSync('/proc/self/cgroup', 'utf8'), layout),
      runningInUserNamespace: euid === 0 && inUserNamespace(), // root of a user namespace (rootless podman): devices are bind mounts
      mountAttrSupport: mountAttrSupport(), // recursive options (rro...) the kernel lacks are refused naming the option
      procKcore: existsSync('/proc/kcore'), // runc links /dev/core to it where the kernel has one
      cgroup: placement,
      seccomp,
      stdio: options.stdio,
    });
    // Written from outside once the process is held (see net-adapter.ts): inside, /proc/sys is read-only by then.
    const sysctl = spec.sysctl;
    delete spec.sysctl;
    if (rootlessMaps) {
      spec.idMapHelper = rootlessMaps.idMapHelper;
      if (rootlessMaps.setgroups) spec.setgroups = rootlessMaps.setgroups;
      // setgroups allowed (newgidmap with a delegated range): keep the caller's groups as runc does (see keptGroups).
      else if (rootlessMaps.idMapHelper && spec.user)
        spec.user.groups = [...new Set([...keptGroups(caller?.groups ?? [], config.linux?.gidMappings ?? []), ...(spec.user.groups ?? [])])];
    }

    // Hold the process before exec of the user's program: kc-init blocks opening the exec fifo for writing until `start` opens it for reading (runc's exec fifo).
    const fifo = store.fifoPath(options.id);
    translateNative(ContainerError, () => rawContainerIo().mkfifo(fifo, 0o622), { path: fifo });
    // Exactly 0622 whatever the umask (conmon runs with 022): kc-init opens it for writing as the container's user,
    // after the switch (a non-root process.user, or root of a user namespace), as runc does with umask 0.
    chmodSync(fifo, 0o622);
    const fifoFd = openSync(fifo, O_PATH | O_CLOEXEC);
    fds.push(fifoFd);
    const initFd = openKcInit(); // shared and sealed: not closed here
    // Both ends are close-on-exec: kc-init gets its end as fd 5 only; every other copy (the setup child's) closes at exec, so kc-init reads EOF exactly when kc is gone.
    const [kcEnd, initEnd] = translateNative(ContainerError, () => rawSocket().seqpacketPair());
    handoff = kcEnd;
    fds.push(initEnd);
    spec.extraFds = [initFd, fifoFd, initEnd];
    let consoleFd: number | undefined;
    if (proc?.terminal && options.consoleSocket) {
      const sock = connectConsoleSocket(options.consoleSocket);
      fds.push(sock);
      spec.extraFds = [...spec.extraFds, sock];
      consoleFd = 6;
    }
    // After the hand-off the container outlives kc, unless asked to die with it (PR_SET_PDEATHSIG, set in the final process).
    if (options.killOnParentExit) spec.parentDeathSignal = 'SIGKILL';
    // kc-init makes the pty (inside the container) its controlling terminal: it is the final process, after the fork into the pid namespace.
    const mode = `${options.init ? 'init' : 'exec'}${proc?.terminal ? '+tty' : ''}`;
    spec.argv = ['kc-init', '3', '4', '5', mode, consoleArg(consoleFd, proc?.consoleSize), '--', ...spec.argv];
    spec.path = '/proc/self/fd/3';
    const child = spawn(spec);
    undo.push(() => {
      child.kill('SIGKILL');
    });
    record.stage = 'spawned';
    record.pid = child.pid;
    record.pidStartTime = pidStartTime(child.pid);
    store.save(record);
    crashPoint('create:spawned');
    // The container now keeps the scope alive: its placeholder goes before anything can see it (hooks, `kc ps`).
    await placeholder?.release();
    configureNamespaces(child.pid, { loopback: spec.namespaces?.includes('net') ?? false, sysctl: sysctl, rootless, enterUser: caller !== undefined });

    // runtime.md "Lifecycle" steps 3-5, in the state "creating" with the container's pid; any failure undoes the container.
    const hooks = config.hooks;
    if (hooks?.prestart?.length || hooks?.createRuntime?.length || hooks?.createContainer?.length) {
      const state = ociState(record, 'creating');
      await runHooks('prestart', hooks, state, { where: 'runtime', cwd: bundle });
      await runHooks('createRuntime', hooks, state, { where: 'runtime', cwd: bundle });
      await runHooks('createContainer', hooks, state, { where: 'container-setup', record, cgroup });
    }
    crashPoint('create:hooks');
    delete record.stage;
    store.save(record);
    crashPoint('create:saved');
    if (options.pidFile) writeFileSync(options.pidFile, String(child.pid));
    // The hand-off: from here the container no longer dies with kc (see kc-init.c).
    if (rawSocket().seqpacketSend(kcEnd, Buffer.from('h')) !== 1) {
      throw new ContainerError('cannot hand the container over to kc-init', { code: 'EIO', hint: 'did the container die during create?' });
    }
    crashPoint('create:handoff');
    return { record, process: child, store, cgroup };
  } catch (e) {
    for (const u of undo.reverse()) {
      try {
        await u();
      } catch {
        /* best effort: keep undoing */
      }
    }
    if (options.pidFile) rmSync(options.pidFile, { force: true });
    throw e;
  } finally {
    if (handoff !== undefined) fds.push(handoff);
    for (const fd of fds) {
      try {
        closeSync(fd);
      } catch {
        /* closed */
      }
    }
    if (locked) releaseLock();
    scope?.close(); // a no-op after the undo's delete
  }
}

/**
 * The container's logical cgroup path and its `@kc/cgroups` resources (limits
 * and device rules: runc's default allow-list always, see
 * {@link toCgroupResources}; `@kc/cgroups` writes them to the v1 devices
 * files, or attaches them as an eBPF program on cgroup v2). Pure.
 * The path is the cgroup's below the hierarchies' mounts for either driver
 * (`target` tells which; see cgroup-target.ts).
 * @throws {ContainerError} UNSUPPORTED for `linux.resources` fields @kc/cgroups cannot express; INVALID_ARGUMENT for a systemd path systemd would refuse.
 */
export function cgroupPlan(config: OciConfig, id: string, systemdCgroup = false): { path: string; resources: Resources; target: CgroupTarget } {
  const missing = untranslatedResources(config.linux?.resources);
  if (missing.length) {
    throw new ContainerError(`${missing.join(', ')}: not supported by kc's cgroup layer (@kc/cgroups)`, {
      code: 'UNSUPPORTED',
      field: missing[0],
      hint: 'remove the field from config.json',
    });
  }
  const resources = toCgroupResources(config.linux?.resources, { linuxDevices: config.linux?.devices ?? [] });
  const target = cgroupTarget(config.linux?.cgroupsPath, id, systemdCgroup);
  return { path: target.path, resources, target };
}

/** Opens the exec fifo for reading without blocking (so a dead container cannot hang `start`). */
export function openFifoForStart(fifo: string): number {
  return openSync(fifo, fsc.O_RDONLY | fsc.O_NONBLOCK | O_CLOEXEC);
}
