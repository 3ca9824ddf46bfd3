import { closeSync, writeFileSync } from 'node:fs';
import type { Cgroup } from '@kc/cgroups';
import { type KcProcess, type NamespaceKind, type ProcessSpec, rawCore, spawn, type StdioOption, translateNative } from '@kc/native';
import { ContainerError } from '../errors.js';
import { crashPoint } from '../internal/crash-point.js';
import { openKcInit } from '../internal/kc-init.js';
import { compileSeccomp } from '../internal/seccomp-adapter.js';
import type { OciProcess } from '../oci/types.js';
import type { ContainerRecord } from '../state/container-record.js';
import { NAMESPACE_KIND, toProcessSpec } from '../translate/process-spec.js';
import { consoleArg, connectConsoleSocket } from './console.js';
import { hostCgroupLayout, isHostDirectory } from './host-context.js';

/** Options of {@link Container.exec}. */
export interface ExecOptions {
  /** stdin, stdout, stderr. Default inherit. */
  stdio?: readonly [StdioOption, StdioOption, StdioOption];
  /** Unix socket to send the pty master to when `terminal` is true. */
  consoleSocket?: string;
  /** File to write the new process's host pid to. */
  pidFile?: string;
  /** The program to execute, resolved inside the container (default: `args[0]`, searched in PATH); `args[0]` is then only its argv[0]. Used for startContainer hooks. */
  executable?: string;
}

/**
 * Spawns `overrides` merged over the container's own `process` inside the
 * container: it joins every namespace of the container's first process at
 * once through its pidfd (`setns(pidfd, flags)`), starts in its cgroup (`@kc/cgroups`' spawn placement), and
 * gets the same capabilities, no_new_privs, rlimits and seccomp filter.
 */
export function execInContainer(
  record: ContainerRecord,
  cgroup: Cgroup | undefined,
  overrides: Omit<Partial<OciProcess>, 'args'> & { args: readonly string[] },
  options: ExecOptions,
): KcProcess {
  const base = record.config.process;
  const proc: OciProcess = { ...(base ?? { user: { uid: 0, gid: 0 }, cwd: '/' }), ...overrides, args: [...overrides.args] } as OciProcess;
  if (proc.terminal && !options.consoleSocket) {
    throw new ContainerError('terminal: a terminal needs a console socket', {
      code: 'INVALID_ARGUMENT',
      field: 'process.terminal',
      hint: 'pass --console-socket or drop --tty',
    });
  }
  const config = { ...record.config, process: proc, mounts: [], hostname: undefined, domainname: undefined };
  const layout = hostCgroupLayout();
  const spec: ProcessSpec = toProcessSpec(
    { ...config, linux: { ...record.config.linux, namespaces: [], sysctl: undefined, uidMappings: undefined, gidMappings: undefined } },
    { rootfs: record.rootfs, isDirectory: isHostDirectory, cgroupLayout: layout, seccomp: compileSeccomp(record.config.linux?.seccomp), stdio: options.stdio },
  );
  delete spec.mounts;
  if (options.executable) spec.path = options.executable;
  const kinds = [...new Set((record.config.linux?.namespaces ?? []).map((n) => NAMESPACE_KIND[n.type]))] as NamespaceKind[];
  const fds: number[] = [];
  try {
    const pidfd = translateNative(ContainerError, () => rawCore().pidfdOpen(record.pid), { hint: 'is the container still running?' });
    fds.push(pidfd);
    if (kinds.length > 0) spec.joinPidfd = { pidfd, kinds };
    // The v2 fd of the placement belongs to the handle (released when the container is deleted).
    if (cgroup) spec.cgroup = cgroup.spawnPlacement(); // none: rootless without a cgroup (rootless-cgroup.ts)
    if (proc.terminal && options.consoleSocket) {
      // kc-init opens the pty inside the container, makes it the terminal and sends the master to the engine (see create.ts).
      const initFd = openKcInit(); // shared and sealed: not closed here
      const sock = connectConsoleSocket(options.consoleSocket);
      fds.push(sock);
      spec.argv = ['kc-init', '3', '-1', 'exec+tty', consoleArg(4, proc.consoleSize), '--', ...spec.argv];
      spec.path = '/proc/self/fd/3';
      spec.extraFds = [initFd, sock];
    }
    const child = spawn(spec);
    crashPoint('exec:spawned');
    if (options.pidFile) writeFileSync(options.pidFile, String(child.pid));
    return child;
  } finally {
    for (const fd of fds) {
      try {
        closeSync(fd);
      } catch {
        /* closed */
      }
    }
  }
}
