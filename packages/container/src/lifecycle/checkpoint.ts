import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Criu } from '@kc/criu';
import type { OciConfig } from '../oci/types.js';
import type { ContainerRecord } from '../state/container-record.js';
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

/** Options shared by dump and restore: root, cgroups, externals. */
function commonCriuOptions(record: ContainerRecord) {
  const binds = externalBindMounts(record.config);
  return {
    root: record.rootfs,
    // kc-init made the container's first process a session leader, so no --shell-job.
    shellJob: false,
    manageCgroups: 'soft' as const,
    binds,
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
  const criu = new Criu();
  await criu.dump({
    pid: record.pid,
    imagesDir,
    workDir: options.workDir,
    root: c.root,
    shellJob: c.shellJob,
    manageCgroups: c.manageCgroups,
    extMounts: Object.fromEntries(c.binds.map((b) => [b.destination, b.destination])),
    leaveRunning: options.leaveRunning ?? false,
    freezeCgroup: record.cgroupDirs.freezer,
  });
}

/** Restores a dumped tree as the process of `record` (whose cgroups exist); returns its host pid. */
export async function restoreRecord(record: ContainerRecord, imagesDir: string, workDir?: string): Promise<number> {
  const c = commonCriuOptions(record);
  const criu = new Criu();
  const r = await criu.restore({
    imagesDir: resolve(imagesDir),
    workDir,
    root: c.root,
    shellJob: c.shellJob,
    manageCgroups: c.manageCgroups,
    extMounts: Object.fromEntries(c.binds.map((b) => [b.destination, b.source])),
    detached: true,
  });
  return r.pid;
}
