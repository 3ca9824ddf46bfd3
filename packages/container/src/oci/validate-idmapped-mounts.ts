import { KcErrorCode } from '@kc/native';
import { validateIdMap } from '@kc/namespaces';
import { ContainerError } from '../errors.js';
import { checkArray, checkInteger, checkObject, reject } from '../internal/field-check.js';

const UINT32 = 2 ** 32;

/**
 * Checks a mount's `uidMappings`/`gidMappings` (runtime-spec 1.1 idmapped
 * mounts) before anything is created, with runc's rules: bind mounts only
 * (the kernel idmaps a detached clone of an existing mount, not a new
 * filesystem), both maps or neither, and each map as the kernel would take it
 * for the helper user namespace that carries it (at most 340 lines, no
 * overlapping ranges, nothing past 4294967294). Unlike runc 1.2 kc does not
 * read `idmap`/`ridmap` options without mappings as "use the container's".
 *
 * @throws {@link ContainerError} `INVALID_ARGUMENT` naming the field (`mounts[2].uidMappings[1]`).
 */
export function validateIdmappedMount(mount: Record<string, unknown>, field: string, isBind: boolean): void {
  const uid = mount.uidMappings;
  const gid = mount.gidMappings;
  if (uid === undefined && gid === undefined) return;
  for (const key of ['uidMappings', 'gidMappings'] as const) {
    checkArray(mount[key], `${field}.${key}`).forEach((m, i) => {
      const f = `${field}.${key}[${i}]`;
      checkObject(m, f, false);
      const e = m as Record<string, unknown>;
      checkInteger(e.containerID, `${f}.containerID`, 0, UINT32 - 1, false);
      checkInteger(e.hostID, `${f}.hostID`, 0, UINT32 - 1, false);
      checkInteger(e.size, `${f}.size`, 1, UINT32, false);
    });
  }
  if (!isBind)
    reject(`${field}.uidMappings`, 'id-mapped mounts are only supported for bind mounts', 'add "rbind" (or "bind") to the options, or drop the mappings');
  if (!Array.isArray(uid) || uid.length === 0 || !Array.isArray(gid) || gid.length === 0) {
    reject(
      `${field}.${uid === undefined || (Array.isArray(uid) && uid.length === 0) ? 'uidMappings' : 'gidMappings'}`,
      'an id-mapped mount needs both uidMappings and gidMappings',
    );
  }
  for (const key of ['uidMappings', 'gidMappings'] as const) {
    const maps = (mount[key] as { containerID: number; hostID: number; size: number }[]).map((m) => ({
      containerId: m.containerID,
      hostId: m.hostID,
      size: m.size,
    }));
    try {
      validateIdMap(maps, `${field}.${key}`);
    } catch (e) {
      // One error type per package: the namespaces check's words, as a ContainerError.
      const err = e as { field?: string; message: string; hint?: string };
      throw new ContainerError(err.message, { code: KcErrorCode.InvalidArgument, field: err.field ?? `${field}.${key}`, hint: err.hint, cause: e });
    }
  }
}

/**
 * An `idmap`/`ridmap` mount option without mappings of the mount's own takes
 * the container's `linux.uidMappings`/`gidMappings` (runc 1.2): refused on a
 * non-bind mount, and when the container has no such mappings, instead of
 * silently making an ordinary bind.
 *
 * @throws {@link ContainerError} `INVALID_ARGUMENT` naming `mounts[i].options`.
 */
export function checkIdmapOptions(input: Record<string, unknown>): void {
  const linux = input.linux as { uidMappings?: unknown[]; gidMappings?: unknown[] } | undefined;
  ((input.mounts as Record<string, unknown>[] | undefined) ?? []).forEach((m, i) => {
    const options = (m.options as string[] | undefined) ?? [];
    const word = options.find((o) => o === 'idmap' || o === 'ridmap');
    if (!word || m.uidMappings !== undefined || m.gidMappings !== undefined) return;
    const isBind = m.type === 'bind' || options.some((o) => o === 'bind' || o === 'rbind');
    if (!isBind) reject(`mounts[${i}].options`, `${word}: id-mapped mounts are only supported for bind mounts`);
    if (!linux?.uidMappings?.length || !linux?.gidMappings?.length) {
      reject(
        `mounts[${i}].options`,
        `${word} without uidMappings/gidMappings takes the container's linux.uidMappings and gidMappings, and there are none`,
        'give the mount its own mappings, or the container a user namespace mapping',
      );
    }
  });
}
