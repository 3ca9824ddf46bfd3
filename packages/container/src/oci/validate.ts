import {
  checkAbsolutePath,
  checkArray,
  checkBoolean,
  checkInteger,
  checkObject,
  checkString,
  checkStringArray,
  isObject,
  reject,
} from '../internal/field-check.js';
import { ContainerError } from '../errors.js';
import { isSystemdCgroupPath, parseSystemdCgroupPath } from '@kc/cgroups';
import { refuseUnappliedSecurity } from './fail-closed.js';
import { CAPABILITY_NUMBERS } from './capability-names.js';
import { RLIMIT_TYPES } from './rlimit-names.js';
import { checkIdmapOptions, validateIdmappedMount } from './validate-idmapped-mounts.js';
import { validateResources } from './validate-resources.js';
import type { OciConfig } from './types.js';

const NAMESPACE_TYPES = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'];
const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
];
const INT32 = 2 ** 31 - 1;
const UINT32 = 2 ** 32 - 1;

/** Options of {@link validateConfig}. */
export interface ValidateOptions {
  /** Require `process` (needed to create a container; a config for `kc spec` templates may omit it). Default true. */
  requireProcess?: boolean;
}

/**
 * Validates a parsed `config.json` against runtime-spec 1.x and kc's rules,
 * without touching the kernel, and returns it typed.
 *
 * @throws {ContainerError} code `INVALID_ARGUMENT` with `field` set to the
 *   offending JSON path, e.g. `linux.namespaces[2].type`; `UNSUPPORTED` for a
 *   security setting kc cannot apply (an LSM label, `linux.resources.network`):
 *   it fails closed, never dropped.
 * @example
 * ```ts
 * const config = validateConfig(JSON.parse(readFileSync('bundle/config.json', 'utf8')));
 * ```
 */
export function validateConfig(input: unknown, options: ValidateOptions = {}): OciConfig {
  if (!isObject(input)) reject('config', 'must be a JSON object');
  checkString(input.ociVersion, 'ociVersion', false);
  if (!/^1\.\d+\.\d+/.test(input.ociVersion as string)) {
    reject('ociVersion', `unsupported version "${input.ociVersion as string}"`, 'kc implements runtime-spec 1.x');
  }
  validateRoot(input.root);
  if (input.process === undefined) {
    if (options.requireProcess !== false) reject('process', 'is required to create a container');
  } else validateProcess(input.process);
  checkString(input.hostname, 'hostname');
  checkString(input.domainname, 'domainname');
  checkArray(input.mounts, 'mounts').forEach((m, i) => validateMount(m, `mounts[${i}]`));
  validateHooks(input.hooks);
  if (input.annotations !== undefined) {
    checkObject(input.annotations, 'annotations');
    for (const [k, v] of Object.entries(input.annotations as object)) checkString(v, `annotations.${k}`, false);
  }
  const namespaces = validateLinux(input.linux);
  if (namespaces.has('user')) checkMountIdsMapped(input);
  checkIdmapOptions(input);
  if ((input.hostname !== undefined || input.domainname !== undefined) && !namespaces.has('uts')) {
    reject('hostname', 'needs a new uts namespace', 'add { "type": "uts" } to linux.namespaces');
  }
  refuseUnappliedSecurity(input as unknown as OciConfig);
  return input as unknown as OciConfig;
}

/**
 * In a new user namespace a `gid=`/`uid=` mount option (devpts's `gid=5`,
 * tmpfs's `uid=`) must name an id the namespace maps: the kernel refuses the
 * mount with EINVAL otherwise, deep in the spawn. `runc spec --rootless`
 * drops devpts's `gid=5` for that reason.
 */
function checkMountIdsMapped(input: Record<string, unknown>): void {
  const linux = input.linux as { uidMappings?: { containerID: number; size: number }[]; gidMappings?: { containerID: number; size: number }[] };
  const mapped = (maps: { containerID: number; size: number }[] | undefined, id: number) =>
    maps === undefined || maps.length === 0 || maps.some((m) => id >= m.containerID && id < m.containerID + m.size);
  ((input.mounts as { options?: string[] }[] | undefined) ?? []).forEach((m, i) => {
    for (const option of m.options ?? []) {
      const match = /^(uid|gid)=(\d+)$/.exec(option);
      if (!match) continue;
      const [, kind, id] = match;
      const maps = kind === 'uid' ? linux.uidMappings : linux.gidMappings;
      if (!mapped(maps, Number(id))) {
        reject(
          `mounts[${i}].options`,
          `${option}: ${kind} ${id} is not mapped in linux.${kind}Mappings`,
          `map it, or drop the option (runc spec --rootless drops devpts's gid=5)`,
        );
      }
    }
  });
}

function validateRoot(root: unknown): void {
  checkObject(root, 'root', false);
  const r = root as Record<string, unknown>;
  checkString(r.path, 'root.path', false);
  if (r.path === '') reject('root.path', 'must not be empty');
  checkBoolean(r.readonly, 'root.readonly');
}

function validateProcess(p: unknown): void {
  checkObject(p, 'process', false);
  const proc = p as Record<string, unknown>;
  checkBoolean(proc.terminal, 'process.terminal');
  checkObject(proc.user, 'process.user', false);
  const user = proc.user as Record<string, unknown>;
  checkInteger(user.uid, 'process.user.uid', 0, UINT32 - 1, false);
  checkInteger(user.gid, 'process.user.gid', 0, UINT32 - 1, false);
  checkInteger(user.umask, 'process.user.umask', 0, 0o777);
  checkArray(user.additionalGids, 'process.user.additionalGids').forEach((g, i) => checkInteger(g, `process.user.additionalGids[${i}]`, 0, UINT32 - 1, false));
  checkStringArray(proc.args, 'process.args');
  if (!Array.isArray(proc.args) || proc.args.length === 0) {
    reject('process.args', 'must name the program to run', 'e.g. "args": ["/bin/sh"]');
  }
  checkStringArray(proc.env, 'process.env');
  ((proc.env as string[] | undefined) ?? []).forEach((e, i) => {
    if (!e.includes('=') || e.startsWith('=')) reject(`process.env[${i}]`, `must be KEY=VALUE, got "${e}"`);
  });
  checkAbsolutePath(proc.cwd, 'process.cwd', false);
  if (proc.capabilities !== undefined) {
    checkObject(proc.capabilities, 'process.capabilities');
    for (const set of ['bounding', 'effective', 'inheritable', 'permitted', 'ambient']) {
      const field = `process.capabilities.${set}`;
      const names = (proc.capabilities as Record<string, unknown>)[set];
      checkStringArray(names, field);
      ((names as string[] | undefined) ?? []).forEach((n, i) => {
        if (CAPABILITY_NUMBERS[n] === undefined) {
          reject(`${field}[${i}]`, `unknown capability "${n}"`, 'names look like CAP_NET_BIND_SERVICE, see capabilities(7)');
        }
      });
    }
  }
  const seen = new Set<string>();
  checkArray(proc.rlimits, 'process.rlimits').forEach((r, i) => {
    const field = `process.rlimits[${i}]`;
    checkObject(r, field, false);
    const rl = r as Record<string, unknown>;
    checkString(rl.type, `${field}.type`, false);
    if (!RLIMIT_TYPES.includes(rl.type as string)) reject(`${field}.type`, `unknown rlimit "${rl.type as string}"`, 'e.g. RLIMIT_NOFILE');
    if (seen.has(rl.type as string)) reject(`${field}.type`, `duplicate rlimit ${rl.type as string}`);
    seen.add(rl.type as string);
    checkInteger(rl.soft, `${field}.soft`, 0, Number.MAX_SAFE_INTEGER, false);
    checkInteger(rl.hard, `${field}.hard`, 0, Number.MAX_SAFE_INTEGER, false);
    if ((rl.soft as number) > (rl.hard as number)) reject(`${field}.soft`, 'must not exceed hard');
  });
  checkBoolean(proc.noNewPrivileges, 'process.noNewPrivileges');
  checkInteger(proc.oomScoreAdj, 'process.oomScoreAdj', -1000, 1000);
  if (proc.consoleSize !== undefined) {
    checkObject(proc.consoleSize, 'process.consoleSize');
    const cs = proc.consoleSize as Record<string, unknown>;
    checkInteger(cs.height, 'process.consoleSize.height', 0, 65535, false);
    checkInteger(cs.width, 'process.consoleSize.width', 0, 65535, false);
  }
}

function validateMount(m: unknown, field: string): void {
  checkObject(m, field, false);
  const mount = m as Record<string, unknown>;
  checkAbsolutePath(mount.destination, `${field}.destination`, false);
  if ((mount.destination as string).split('/').includes('..')) {
    reject(`${field}.destination`, 'must not contain ".."', 'mount destinations are paths inside the container root');
  }
  checkString(mount.source, `${field}.source`);
  checkString(mount.type, `${field}.type`);
  checkStringArray(mount.options, `${field}.options`);
  const isBind = mount.type === 'bind' || ((mount.options as string[] | undefined) ?? []).some((o) => o === 'bind' || o === 'rbind');
  if (isBind && typeof mount.source !== 'string') reject(`${field}.source`, 'is required for a bind mount');
  validateIdmappedMount(mount, field, isBind);
}

function validateHooks(h: unknown): void {
  if (h === undefined) return;
  checkObject(h, 'hooks');
  for (const [kind, list] of Object.entries(h as object)) {
    checkArray(list, `hooks.${kind}`).forEach((hook, i) => {
      const field = `hooks.${kind}[${i}]`;
      checkObject(hook, field, false);
      const hk = hook as Record<string, unknown>;
      checkAbsolutePath(hk.path, `${field}.path`, false);
      checkStringArray(hk.args, `${field}.args`);
      checkStringArray(hk.env, `${field}.env`);
      checkInteger(hk.timeout, `${field}.timeout`, 1, INT32);
    });
  }
}

function validateLinux(l: unknown): Set<string> {
  const kinds = new Set<string>();
  if (l === undefined) return kinds;
  checkObject(l, 'linux');
  const linux = l as Record<string, unknown>;
  checkArray(linux.namespaces, 'linux.namespaces').forEach((ns, i) => {
    const field = `linux.namespaces[${i}]`;
    checkObject(ns, field, false);
    const n = ns as Record<string, unknown>;
    checkString(n.type, `${field}.type`, false);
    if (!NAMESPACE_TYPES.includes(n.type as string)) {
      reject(`${field}.type`, `unknown namespace type "${n.type as string}"`, `one of ${NAMESPACE_TYPES.join(', ')}`);
    }
    if (kinds.has(n.type as string)) reject(`${field}.type`, `duplicate namespace "${n.type as string}"`);
    kinds.add(n.type as string);
    checkAbsolutePath(n.path, `${field}.path`);
  });
  for (const key of ['uidMappings', 'gidMappings'] as const) {
    const maps = checkArray(linux[key], `linux.${key}`);
    maps.forEach((m, i) => {
      const field = `linux.${key}[${i}]`;
      checkObject(m, field, false);
      const e = m as Record<string, unknown>;
      checkInteger(e.containerID, `${field}.containerID`, 0, UINT32 - 1, false);
      checkInteger(e.hostID, `${field}.hostID`, 0, UINT32 - 1, false);
      checkInteger(e.size, `${field}.size`, 1, UINT32, false);
    });
    if (maps.length > 0 && !kinds.has('user')) reject(`linux.${key}`, 'needs a new user namespace', 'add { "type": "user" } to linux.namespaces');
  }
  checkArray(linux.devices, 'linux.devices').forEach((d, i) => {
    const field = `linux.devices[${i}]`;
    checkObject(d, field, false);
    const dev = d as Record<string, unknown>;
    if (!['c', 'b', 'u', 'p'].includes(dev.type as string)) reject(`${field}.type`, 'must be one of c, b, u, p');
    checkAbsolutePath(dev.path, `${field}.path`, false);
    if (!(dev.path as string).startsWith('/dev/')) reject(`${field}.path`, 'must be under /dev');
    if (dev.type !== 'p') {
      checkInteger(dev.major, `${field}.major`, 0, 4095, false);
      checkInteger(dev.minor, `${field}.minor`, 0, 2 ** 20 - 1, false);
    }
    checkInteger(dev.fileMode, `${field}.fileMode`, 0, 0o7777);
  });
  checkString(linux.cgroupsPath, 'linux.cgroupsPath');
  if (typeof linux.cgroupsPath === 'string' && linux.cgroupsPath.split('/').includes('..')) {
    reject('linux.cgroupsPath', 'must not contain ".."');
  }
  // A "slice:prefix:name" path selects the systemd driver: its unit names must be ones systemd takes (the flag's rules: cgroupPlan in create.ts).
  if (typeof linux.cgroupsPath === 'string' && isSystemdCgroupPath(linux.cgroupsPath)) {
    try {
      parseSystemdCgroupPath(linux.cgroupsPath, 'linux.cgroupsPath');
    } catch (e) {
      // The message names the part (`linux.cgroupsPath.slice: ...`); the field stays the config's.
      const hint = (e as { hint?: string }).hint;
      throw new ContainerError((e as Error).message, { code: 'INVALID_ARGUMENT', field: 'linux.cgroupsPath', ...(hint ? { hint } : {}), cause: e });
    }
  }
  if (linux.resources !== undefined) validateResources(linux.resources);
  validateSeccomp(linux.seccomp);
  if (linux.sysctl !== undefined) {
    checkObject(linux.sysctl, 'linux.sysctl');
    for (const [k, v] of Object.entries(linux.sysctl as object)) {
      if (!/^[a-z0-9_]+(\.[a-zA-Z0-9_\-*]+)+$/.test(k)) reject(`linux.sysctl.${k}`, 'is not a sysctl key');
      checkString(v, `linux.sysctl.${k}`, false);
      if (k.startsWith('net.') && !kinds.has('network')) reject(`linux.sysctl.${k}`, 'needs a new network namespace');
    }
  }
  checkArray(linux.maskedPaths, 'linux.maskedPaths').forEach((p, i) => checkAbsolutePath(p, `linux.maskedPaths[${i}]`, false));
  checkArray(linux.readonlyPaths, 'linux.readonlyPaths').forEach((p, i) => checkAbsolutePath(p, `linux.readonlyPaths[${i}]`, false));
  if (
    linux.rootfsPropagation !== undefined &&
    !['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared', 'unbindable', 'runbindable'].includes(linux.rootfsPropagation as string)
  ) {
    reject('linux.rootfsPropagation', `unknown propagation "${String(linux.rootfsPropagation)}"`);
  }
  return kinds;
}

function validateSeccomp(s: unknown): void {
  if (s === undefined) return;
  checkObject(s, 'linux.seccomp');
  const sc = s as Record<string, unknown>;
  if (!SECCOMP_ACTIONS.includes(sc.defaultAction as string)) {
    reject('linux.seccomp.defaultAction', `unknown action "${String(sc.defaultAction)}"`, `one of ${SECCOMP_ACTIONS.join(', ')}`);
  }
  checkStringArray(sc.architectures, 'linux.seccomp.architectures');
  checkStringArray(sc.flags, 'linux.seccomp.flags');
  checkArray(sc.syscalls, 'linux.seccomp.syscalls').forEach((r, i) => {
    const field = `linux.seccomp.syscalls[${i}]`;
    checkObject(r, field, false);
    const rule = r as Record<string, unknown>;
    checkStringArray(rule.names, `${field}.names`);
    if (!Array.isArray(rule.names) || rule.names.length === 0) reject(`${field}.names`, 'must name at least one syscall');
    if (!SECCOMP_ACTIONS.includes(rule.action as string)) reject(`${field}.action`, `unknown action "${String(rule.action)}"`);
    checkArray(rule.args, `${field}.args`).forEach((a, j) => {
      const af = `${field}.args[${j}]`;
      checkObject(a, af, false);
      checkInteger((a as Record<string, unknown>).index, `${af}.index`, 0, 5, false);
      checkString((a as Record<string, unknown>).op, `${af}.op`, false);
    });
  });
}
