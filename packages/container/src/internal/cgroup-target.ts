/**
 * Which cgroup driver a container uses, and where (issue #15): runc's rules.
 * Without `--systemd-cgroup`, a `linux.cgroupsPath` in systemd's form
 * `slice:prefix:name` (what podman `--cgroup-manager=systemd` and containerd
 * `SystemdCgroup=true` pass) means the systemd driver, anything else a
 * cgroupfs path. With `--systemd-cgroup` (runc's utils_linux.go
 * createContainer → specconv.CreateCgroupConfig), the path must be in that
 * form, and a missing one means `system.slice:kc:<id>` (runc's prefix is
 * `runc`). Pure.
 */
import { CgroupError, isSystemdCgroupPath, parseSystemdCgroupPath } from '@kc/cgroups';
import { ContainerError } from '../errors.js';
import { containerCgroupPath } from './container-cgroup.js';

/** Where a container's cgroup goes and which driver makes it. */
export type CgroupTarget =
  | { readonly driver: 'cgroupfs'; readonly path: string }
  | {
      readonly driver: 'systemd';
      /** The scope's cgroup path below the v2 mount, e.g. `/system.slice/kc-demo.scope` (what the cgroup files are opened by). */
      readonly path: string;
      /** The `slice:prefix:name` path given to the systemd driver. */
      readonly systemdPath: string;
      /** The scope unit, e.g. `kc-demo.scope`. */
      readonly unit: string;
    };

/**
 * Resolves the container's cgroup target from `linux.cgroupsPath`, its id and
 * the `--systemd-cgroup` flag (see the file comment).
 * @throws {ContainerError} INVALID_ARGUMENT (field `linux.cgroupsPath`) for a path the systemd driver cannot take.
 */
export function cgroupTarget(cgroupsPath: string | undefined, id: string, systemdCgroup = false): CgroupTarget {
  const given = cgroupsPath === '' ? undefined : cgroupsPath;
  if (!systemdCgroup && (given === undefined || !isSystemdCgroupPath(given))) return { driver: 'cgroupfs', path: containerCgroupPath(given, id) };
  const systemdPath = given ?? `system.slice:kc:${id}`;
  if (!isSystemdCgroupPath(systemdPath)) {
    throw new ContainerError(`linux.cgroupsPath: expected the form "slice:prefix:name" for systemd cgroups, got "${systemdPath}"`, {
      code: 'INVALID_ARGUMENT',
      field: 'linux.cgroupsPath',
      hint: 'e.g. "system.slice:kc:<id>", or leave it out; without --systemd-cgroup a plain path uses the cgroup filesystem',
    });
  }
  try {
    const scope = parseSystemdCgroupPath(systemdPath, 'linux.cgroupsPath');
    return { driver: 'systemd', path: scope.cgroupPath, systemdPath, unit: scope.unit };
  } catch (e) {
    if (!(e instanceof CgroupError)) throw e;
    throw new ContainerError(e.message, { code: e.code, field: e.field ?? 'linux.cgroupsPath', ...(e.hint ? { hint: e.hint } : {}), cause: e });
  }
}
