import type { OciConfig, OciIdMapping, OciMount } from '../oci/types.js';

/** The id mapping of an idmapped mount, as {@link mountIdmap} reads it. */
export interface MountIdmap {
  /** uid_map lines of the helper user namespace (`containerID hostID size`). */
  uidMappings: readonly OciIdMapping[];
  /** gid_map lines of the helper user namespace. */
  gidMappings: readonly OciIdMapping[];
  /** `ridmap`: the submounts of an `rbind` are idmapped too (else the top mount only, as runc). */
  recursive: boolean;
}

/**
 * Whether mount `m` is idmapped, and with which mapping, as runc 1.2 reads
 * it: its own `uidMappings`/`gidMappings`, or, with an `idmap`/`ridmap`
 * option and no mappings of its own, the container's `linux.uidMappings`/
 * `gidMappings`. Undefined for an ordinary mount. Pure.
 */
export function mountIdmap(m: OciMount, linux: OciConfig['linux']): MountIdmap | undefined {
  const options = m.options ?? [];
  const recursive = options.includes('ridmap');
  if (m.uidMappings?.length || m.gidMappings?.length) return { uidMappings: m.uidMappings ?? [], gidMappings: m.gidMappings ?? [], recursive };
  if (!recursive && !options.includes('idmap')) return undefined;
  return { uidMappings: linux?.uidMappings ?? [], gidMappings: linux?.gidMappings ?? [], recursive };
}
