/**
 * Rootless mode (issue #14), as runc's: kc run by a user without root. What
 * changes: the state root defaults to `$XDG_RUNTIME_DIR/kc`; the config must
 * create a user namespace whose maps either map the caller's own ids only
 * (written directly, with setgroups denied as user_namespaces(7) requires of
 * an unprivileged gid map) or go through the setuid helpers
 * `newuidmap`/`newgidmap`, which check /etc/subuid and /etc/subgid; and
 * cgroups are optional (see rootless-cgroup.ts). Everything here is checked
 * before the kernel is touched. Pure but for {@link hostIdentity}.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { invalidArgument } from '@kc/native';
import { ContainerError } from '../errors.js';
import type { OciConfig, OciIdMapping } from '../oci/types.js';
import { DEFAULT_STATE_ROOT } from '../state/state-store.js';
import { subIdRanges, withinRanges } from './subid.js';

/**
 * Whether kc runs rootless: runc's global `--rootless true|false|auto`
 * (default auto: rootless when the effective uid is not 0, or when it is 0
 * inside a user namespace other than the initial one, as under rootless
 * podman, whose runtime runs as root of podman's namespace: runc's
 * shouldUseRootlessCgroupManager). Only the first kind changes the id-map
 * rules (see {@link rootlessIdMaps}); both tolerate a missing cgroup.
 * @throws {ContainerError} INVALID_ARGUMENT for another value.
 */
export function rootlessMode(flag: string | undefined, euid: number, inUserNamespace = false): boolean {
  if (flag === undefined || flag === 'auto') return euid !== 0 || inUserNamespace;
  if (flag === 'true') return true;
  if (flag === 'false') return false;
  throw invalidArgument(ContainerError, '--rootless', `invalid value "${flag}"`, 'use true, false or auto');
}

/**
 * The state root when `--root` is not given: `$XDG_RUNTIME_DIR/kc` when
 * rootless and set (runc: `$XDG_RUNTIME_DIR/runc`), except for uid 0 in a
 * user namespace with `USER=root` (runc's shouldHonorXDGRuntimeDir); else
 * /run/kc.
 */
export function defaultStateRoot(rootless: boolean, env: NodeJS.ProcessEnv = process.env, euid = process.geteuid?.() ?? 0): string {
  const xdg = env.XDG_RUNTIME_DIR;
  const honour = rootless && !!xdg && (euid !== 0 || env.USER !== 'root');
  return honour ? join(xdg as string, 'kc') : DEFAULT_STATE_ROOT;
}

/** True inside a user namespace other than the initial one (its uid_map is not the identity of all 2^32-1 ids; runc's RunningInUserNS). */
export function inUserNamespace(uidMap: string = readOrEmpty('/proc/self/uid_map')): boolean {
  const f = uidMap.trim().split(/\s+/);
  return uidMap.trim() !== '' && !(f.length === 3 && f[0] === '0' && f[1] === '0' && f[2] === '4294967295');
}

/** Who the caller is on the host, and what it may map. */
export interface HostIdentity {
  /** Effective uid. */
  uid: number;
  /** Effective gid. */
  gid: number;
  /** Login name (what /etc/subuid names). */
  name: string;
  /** Text of /etc/subuid ('' when absent). */
  subuid: string;
  /** Text of /etc/subgid ('' when absent). */
  subgid: string;
  /** Both `newuidmap` and `newgidmap` are on PATH. */
  helpers: boolean;
  /** Supplementary groups (the `Groups:` of /proc/self/status: Node's process.getgroups() adds the egid). */
  groups: number[];
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function onPath(tool: string, path: string | undefined): boolean {
  return (path ?? '/usr/bin:/bin').split(':').some((d) => d !== '' && existsSync(join(d, tool)));
}

/** The `Groups:` line of /proc/PID/status text (proc(5)). Pure. */
export function supplementaryGroups(status: string): number[] {
  const line = /^Groups:(.*)$/m.exec(status)?.[1] ?? '';
  return line
    .trim()
    .split(/\s+/)
    .filter((g) => g !== '')
    .map(Number);
}

/** Reads the caller's {@link HostIdentity} (effective ids, passwd name, subid files, helpers on PATH). */
export function hostIdentity(): HostIdentity {
  return {
    uid: process.geteuid?.() ?? 0,
    gid: process.getegid?.() ?? 0,
    name: userInfo().username,
    subuid: readOrEmpty('/etc/subuid'),
    subgid: readOrEmpty('/etc/subgid'),
    helpers: onPath('newuidmap', process.env.PATH) && onPath('newgidmap', process.env.PATH),
    groups: supplementaryGroups(readOrEmpty('/proc/self/status')),
  };
}

/** How the spawn pipeline writes the maps of a rootless container (fields of `@kc/native`'s ProcessSpec). */
export interface RootlessIdMaps {
  /** Write both maps with newuidmap/newgidmap. */
  idMapHelper: boolean;
  /** 'deny' when the caller writes its own gid map (user_namespaces(7): required without CAP_SETGID in the parent namespace). */
  setgroups?: 'deny';
}

/** True when `maps` is exactly one entry of size 1 mapping the caller's own `id`: no helper needed. */
function ownIdOnly(maps: readonly OciIdMapping[], id: number): boolean {
  return maps.length === 1 && maps[0]?.size === 1 && maps[0]?.hostID === id;
}

function checkDelegated(maps: readonly OciIdMapping[], field: string, file: string, own: number, ids: HostIdentity, text: string): void {
  const ranges = subIdRanges(text, ids.name, own);
  maps.forEach((m, i) => {
    if (m.size === 1 && m.hostID === own) return; // newuidmap lets a user map its own id
    if (withinRanges(ranges, m.hostID, m.size)) return;
    const last = m.hostID + m.size - 1;
    throw invalidArgument(
      ContainerError,
      `${field}[${i}]`,
      `host ids ${m.hostID}-${last} are not delegated to user ${ids.name} in ${file}${ranges.length ? ` (its ranges: ${ranges.map((r) => `${r.start}-${r.start + r.count - 1}`).join(', ')})` : ' (it has no range there)'}`,
      `as root: usermod --add-sub${file.endsWith('subuid') ? 'uids' : 'gids'} ${m.hostID}-${last} ${ids.name}; or map only your own id (hostID ${own}, size 1)`,
    );
  });
}

/**
 * Checks a config for rootless use and decides how its id maps are written
 * (runc's rules: a user namespace is required; maps other than the
 * caller's own single id need the helpers and a delegated range).
 * @throws {ContainerError} INVALID_ARGUMENT naming the field (no user
 *   namespace, no mapping, ids not delegated in /etc/subuid or /etc/subgid);
 *   NOT_FOUND when newuidmap/newgidmap are needed and missing.
 */
export function rootlessIdMaps(config: OciConfig, ids: HostIdentity): RootlessIdMaps {
  const user = config.linux?.namespaces?.find((n) => n.type === 'user');
  if (!user) {
    throw invalidArgument(
      ContainerError,
      'linux.namespaces',
      'a rootless container requires a user namespace',
      'add {"type": "user"} with uidMappings/gidMappings (`runc spec --rootless` writes such a config), or run kc as root',
    );
  }
  if (user.path) return { idMapHelper: false }; // joined: its maps exist already
  const uidMaps = config.linux?.uidMappings ?? [];
  const gidMaps = config.linux?.gidMappings ?? [];
  if (uidMaps.length === 0 || gidMaps.length === 0) {
    throw invalidArgument(
      ContainerError,
      uidMaps.length === 0 ? 'linux.uidMappings' : 'linux.gidMappings',
      'a rootless container needs uid and gid mappings',
      `map at least your own ids, e.g. {"containerID": 0, "hostID": ${uidMaps.length === 0 ? ids.uid : ids.gid}, "size": 1}`,
    );
  }
  if (ownIdOnly(uidMaps, ids.uid) && ownIdOnly(gidMaps, ids.gid)) return { idMapHelper: false, setgroups: 'deny' };
  checkDelegated(uidMaps, 'linux.uidMappings', '/etc/subuid', ids.uid, ids, ids.subuid);
  checkDelegated(gidMaps, 'linux.gidMappings', '/etc/subgid', ids.gid, ids, ids.subgid);
  if (!ids.helpers) {
    throw new ContainerError('mapping more than your own uid and gid needs newuidmap and newgidmap, which are not on PATH', {
      code: 'NOT_FOUND',
      field: 'linux.uidMappings',
      hint: 'install them (Debian/Ubuntu: apt install uidmap; Fedora: shadow-utils), or map only your own ids (size 1)',
    });
  }
  return { idMapHelper: true };
}

/**
 * The caller's supplementary groups as the container sees them (runc's
 * rootless mode never calls setgroups(2), so the container keeps them:
 * dropping a group could open files whose group permissions deny it, the
 * reason user_namespaces(7) guards setgroups). The spawn pipeline sets the
 * list explicitly, so kc passes the caller's own groups, translated through
 * the gid map; a group the map lacks cannot be set and is left out (the
 * kernel would show it as the overflow gid). Pure.
 */
export function keptGroups(hostGroups: readonly number[], gidMaps: readonly OciIdMapping[]): number[] {
  const out: number[] = [];
  for (const g of hostGroups) {
    const m = gidMaps.find((e) => g >= e.hostID && g < e.hostID + e.size);
    if (m && !out.includes(m.containerID + g - m.hostID)) out.push(m.containerID + g - m.hostID);
  }
  return out;
}
