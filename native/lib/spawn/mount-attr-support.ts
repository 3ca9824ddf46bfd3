/**
 * Whether the running kernel has mount_setattr(2) (Linux 5.12) and
 * MOUNT_ATTR_NOSYMFOLLOW (5.14), probed once without changing any mount, so
 * a step that needs them is refused before the child is created.
 */
import { isRawNativeError, KcErrorCode, SpawnError } from '../errors.js';
import { rawMount } from '../raw/mount.js';
import { MOUNT_ATTR } from './constants.js';
import type { MountStep } from './spec.js';

/** What the running kernel's mount_setattr(2) can do. */
export interface MountAttrSupport {
  /** mount_setattr(2) exists (Linux 5.12+): recursive mount attributes (`rro`, `rnosuid`...) can be applied. */
  mountSetattr: boolean;
  /** It also takes MOUNT_ATTR_NOSYMFOLLOW (Linux 5.14+): `rnosymfollow`/`rsymfollow`. */
  nosymfollow: boolean;
}

const AT_EMPTY_PATH = 0x1000;
let cached: MountAttrSupport | undefined;

/**
 * Probes mount_setattr(2) once per process: the call is made on fd -1 with
 * MOUNT_ATTR_NOSYMFOLLOW, so the kernel answers ENOSYS (no syscall), EINVAL
 * (unknown attribute, checked before the path) or EBADF (both known) and
 * touches no mount. A caller without CAP_SYS_ADMIN gets EPERM before the
 * attributes are read: then both count as present (the child reports the
 * kernel's own error if not).
 *
 * @example
 * ```ts
 * if (!mountAttrSupport().mountSetattr) console.log('no recursive read-only mounts before Linux 5.12');
 * ```
 */
export function mountAttrSupport(): MountAttrSupport {
  if (cached) return cached;
  try {
    rawMount().mountSetattr(-1, '', AT_EMPTY_PATH, MOUNT_ATTR.NOSYMFOLLOW, 0, 0, -1);
    cached = { mountSetattr: true, nosymfollow: true };
  } catch (e) {
    const code = isRawNativeError(e) ? e.code : '';
    cached = { mountSetattr: code !== 'ENOSYS', nosymfollow: code !== 'ENOSYS' && code !== 'EINVAL' };
  }
  return cached;
}

/**
 * Refuses, before anything is created, mount steps the running kernel cannot
 * apply: `setattr` steps and recursive `readonly` steps without
 * mount_setattr(2), MOUNT_ATTR_NOSYMFOLLOW before Linux 5.14.
 *
 * @throws {@link SpawnError} with code `UNSUPPORTED` and `field` naming the step.
 */
export function checkMountAttrSupport(mounts: readonly MountStep[] | undefined, support: () => MountAttrSupport = mountAttrSupport): void {
  (mounts ?? []).forEach((m, i) => {
    const needs = m.kind === 'setattr' || (m.kind === 'readonly' && m.recursive === true);
    if (!needs) return;
    const field = `mounts[${i}]`;
    const have = support();
    if (!have.mountSetattr) {
      throw new SpawnError(
        `${field}: ${m.kind === 'setattr' ? 'mount attributes' : 'a recursive read-only mount'} need mount_setattr(2), which this kernel lacks (Linux 5.12+)`,
        {
          code: KcErrorCode.Unsupported,
          field,
          hint: m.kind === 'readonly' ? 'drop recursive to make only the top mount read-only' : 'run on Linux 5.12 or later',
        },
      );
    }
    const bits = m.kind === 'setattr' ? (m.set ?? 0) | (m.clear ?? 0) : 0;
    if (bits & MOUNT_ATTR.NOSYMFOLLOW && !have.nosymfollow) {
      throw new SpawnError(`${field}: MOUNT_ATTR_NOSYMFOLLOW needs Linux 5.14+`, {
        code: KcErrorCode.Unsupported,
        field,
        hint: 'drop rnosymfollow/rsymfollow',
      });
    }
  });
}
