import { mkdirSync } from 'node:fs';
import { invalidArgument, rawMount, translateNative } from '@kc/native';
import { ContainerError } from '../errors.js';

/** Options of {@link mountOverlayRootfs}. */
export interface OverlayRootfsOptions {
  /** Read-only layers, top first (overlayfs `lowerdir` order). */
  lower: readonly string[];
  /** Writable layer: every change of the container lands here, inspectable as a diff. */
  upper: string;
  /** overlayfs work directory, on the same filesystem as `upper`. */
  work: string;
  /** Where to mount the merged root. */
  target: string;
}

/**
 * Joins layers into one root with overlayfs (Documentation/filesystems/overlayfs.rst):
 * reads fall through to the lower layers, writes copy up into `upper`.
 * Unmount with `umount2(target, MNT_DETACH)` or let {@link Container.delete} do it
 * (pass `target` as `overlayMount` to create).
 *
 * Privileges: CAP_SYS_ADMIN.
 * @throws {ContainerError} INVALID_ARGUMENT for no layers or paths with `:` or `,`; the mount(2) errno otherwise.
 */
export function mountOverlayRootfs(options: OverlayRootfsOptions): string {
  if (options.lower.length === 0) throw invalidArgument(ContainerError, 'lower', 'needs at least one layer');
  for (const [field, p] of [...options.lower.map((l, i) => [`lower[${i}]`, l]), ['upper', options.upper], ['work', options.work]] as [string, string][]) {
    if (/[:,]/.test(p))
      throw invalidArgument(ContainerError, field, `"${p}" contains ":" or ","`, 'overlayfs options cannot escape them; use another directory');
  }
  for (const d of [options.upper, options.work, options.target]) mkdirSync(d, { recursive: true });
  const data = `lowerdir=${options.lower.join(':')},upperdir=${options.upper},workdir=${options.work}`;
  translateNative(ContainerError, () => rawMount().mount('overlay', options.target, 'overlay', 0, data), {
    path: options.target,
    hint: 'is the overlay module loaded, and are upper and work on one filesystem?',
  });
  return options.target;
}
