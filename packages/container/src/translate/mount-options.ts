/**
 * OCI mount `options` → mount(2) flags, propagation and data. The words that
 * mount(8) knows are parsed by `@kc/namespaces` (one table of MS_* bits for
 * all of kc); this file only drops the options that belong to the runtime, not
 * to mount(2).
 */
import { MS, parseMountOptions as parseMountWords } from '@kc/namespaces';

export { MS };

/** OCI/runc options that change what the runtime does and are never passed to mount(2). */
const RUNTIME_ONLY = new Set(['tmpcopyup', 'idmap', 'ridmap', 'copy-symlink']);

/** The result of {@link parseOciMountOptions}. */
export interface ParsedMountOptions {
  /** MS_* flags for mount(2). */
  flags: number;
  /** Propagation flags to apply after mounting, or 0. */
  propagation: number;
  /** Comma-joined filesystem-specific options (`mode=755,size=65536k`). */
  data: string;
  /** MOUNT_ATTR_* bits runtime-spec 1.1's recursive options set on the whole subtree (`rro`, `rnosuid`...), for mount_setattr(2); 0 when none. */
  attrSet: number;
  /** MOUNT_ATTR_* bits they clear (`rrw`, `rsuid`..., MOUNT_ATTR__ATIME with any atime word); 0 when none. */
  attrClear: number;
}

/**
 * Splits OCI mount options into mount(2) flags, propagation and data, like
 * mount(8), and the recursive options (`rro`, `rnosuid`...) into
 * mount_setattr(2) attributes, as runc does. Pure.
 */
export function parseOciMountOptions(options: readonly string[] | undefined): ParsedMountOptions {
  const { flags, propagation, data, attrSet, attrClear } = parseMountWords((options ?? []).filter((o) => !RUNTIME_ONLY.has(o)));
  return { flags, propagation, data, attrSet, attrClear };
}

/**
 * Splits OCI mount options, as {@link parseOciMountOptions}.
 * @deprecated use {@link parseOciMountOptions}: `parseMountOptions` of `@kc/namespaces` parses mount(8) words without dropping the OCI runtime's own.
 */
export const parseMountOptions: (options: readonly string[] | undefined) => ParsedMountOptions = parseOciMountOptions;

/** The propagation flags of a `linux.rootfsPropagation` value (default rprivate). */
export function rootfsPropagationFlags(value: string | undefined): number {
  return parseMountWords([value ?? 'rprivate']).propagation || MS.PRIVATE | MS.REC;
}
