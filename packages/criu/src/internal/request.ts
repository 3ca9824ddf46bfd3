import { create } from '@bufbuild/protobuf';
import type { CommonOptions, CriuCgroupMode, CriuRestoreOptions, DumpOptions, NetworkLockMethod, PreDumpOptions } from '../options.js';
import {
  type criu_opts,
  criu_cg_mode,
  criu_network_lock_method,
  cgroup_rootSchema,
  criu_optsSchema,
  criu_page_server_infoSchema,
  criu_pre_dump_mode,
  ext_mount_mapSchema,
  inherit_fdSchema,
  join_namespaceSchema,
} from './gen/rpc_pb.js';

const cgModes: Record<CriuCgroupMode, criu_cg_mode> = {
  ignore: criu_cg_mode.IGNORE,
  none: criu_cg_mode.CG_NONE,
  props: criu_cg_mode.PROPS,
  soft: criu_cg_mode.SOFT,
  full: criu_cg_mode.FULL,
  strict: criu_cg_mode.STRICT,
  default: criu_cg_mode.DEFAULT,
};

const lockMethods: Record<NetworkLockMethod, criu_network_lock_method> = {
  iptables: criu_network_lock_method.IPTABLES,
  nftables: criu_network_lock_method.NFTABLES,
  skip: criu_network_lock_method.SKIP,
};

/** Fds (in the caller's table; CRIU opens them via /proc/<caller>/fd) and names resolved by the client. */
export interface ResolvedDirs {
  imagesDirFd: number;
  workDirFd: number | undefined;
  logFile: string;
}

/** Translates the options every operation shares into CRIU's `criu_opts`. */
export function commonOpts(o: CommonOptions, dirs: ResolvedDirs): criu_opts {
  const opts = create(criu_optsSchema, { imagesDirFd: dirs.imagesDirFd, logFile: dirs.logFile, logLevel: o.logLevel ?? 2 });
  if (dirs.workDirFd !== undefined) opts.workDirFd = dirs.workDirFd;
  if (o.notify !== undefined) opts.notifyScripts = true;
  if (o.external) opts.external = [...o.external];
  if (o.extMounts) opts.extMnt = Object.entries(o.extMounts).map(([key, val]) => create(ext_mount_mapSchema, { key, val }));
  if (o.autoExtMounts !== undefined) opts.autoExtMnt = o.autoExtMounts;
  if (o.extSharing !== undefined) opts.extSharing = o.extSharing;
  if (o.extMasters !== undefined) opts.extMasters = o.extMasters;
  if (o.skipMounts) opts.skipMnt = [...o.skipMounts];
  if (o.tcpEstablished !== undefined) opts.tcpEstablished = o.tcpEstablished;
  if (o.shellJob !== undefined) opts.shellJob = o.shellJob;
  if (o.fileLocks !== undefined) opts.fileLocks = o.fileLocks;
  if (o.extUnixSockets !== undefined) opts.extUnixSk = o.extUnixSockets;
  if (o.manageCgroups !== undefined) {
    opts.manageCgroups = true;
    opts.manageCgroupsMode = cgModes[o.manageCgroups];
  }
  if (o.cgroupRoots) {
    opts.cgRoot = o.cgroupRoots.map((r) => create(cgroup_rootSchema, r.controller === undefined ? { path: r.path } : { ctrl: r.controller, path: r.path }));
  }
  if (o.networkLock !== undefined) opts.networkLock = lockMethods[o.networkLock];
  if (o.root !== undefined) opts.root = o.root;
  if (o.timeoutSeconds !== undefined) opts.timeout = o.timeoutSeconds;
  if (o.linkRemap !== undefined) opts.linkRemap = o.linkRemap;
  return opts;
}

/** `criu_opts` for a dump. */
export function dumpOpts(o: DumpOptions, dirs: ResolvedDirs): criu_opts {
  const opts = commonOpts(o, dirs);
  opts.pid = o.pid;
  if (o.leaveRunning !== undefined) opts.leaveRunning = o.leaveRunning;
  if (o.leaveStopped !== undefined) opts.leaveStopped = o.leaveStopped;
  if (o.parentImages !== undefined) opts.parentImg = o.parentImages;
  if (o.trackMemory !== undefined) opts.trackMem = o.trackMemory;
  if (o.autoDedup !== undefined) opts.autoDedup = o.autoDedup;
  if (o.pageServer) opts.ps = create(criu_page_server_infoSchema, { address: o.pageServer.address, port: o.pageServer.port });
  if (o.lazyPages !== undefined) opts.lazyPages = o.lazyPages;
  if (o.freezeCgroup !== undefined) opts.freezeCgroup = o.freezeCgroup;
  return opts;
}

/** `criu_opts` for a pre-dump. */
export function preDumpOpts(o: PreDumpOptions, dirs: ResolvedDirs): criu_opts {
  const opts = dumpOpts(o, dirs);
  if (o.mode !== undefined) opts.preDumpMode = o.mode === 'vm_read' ? criu_pre_dump_mode.VM_READ : criu_pre_dump_mode.SPLICE;
  return opts;
}

/**
 * `criu_opts` for a restore. `inheritFdNumbers` are the fds as CRIU sees them
 * (swrk maps the caller's fds to 4, 5, ... in order).
 */
export function restoreOpts(o: CriuRestoreOptions, dirs: ResolvedDirs, inheritFdNumbers: number[]): criu_opts {
  const opts = commonOpts(o, dirs);
  if (!o.detached) opts.rstSibling = true;
  if (o.inheritFds) {
    opts.inheritFd = o.inheritFds.map((f, i) => create(inherit_fdSchema, { key: f.key, fd: inheritFdNumbers[i] ?? f.fd }));
  }
  if (o.joinNamespaces) {
    opts.joinNs = o.joinNamespaces.map((j) =>
      create(join_namespaceSchema, j.extra === undefined ? { ns: j.kind, nsFile: j.path } : { ns: j.kind, nsFile: j.path, extraOpt: j.extra }),
    );
  }
  if (o.leaveStopped !== undefined) opts.leaveStopped = o.leaveStopped;
  if (o.lazyPages !== undefined) opts.lazyPages = o.lazyPages;
  return opts;
}
