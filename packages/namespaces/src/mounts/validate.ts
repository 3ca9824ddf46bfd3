import { invalidArgument, type MountStep } from '@kc/native';
import { NamespaceError } from '../errors.js';
import { MOUNT_ATTR, MS, MS_PROPAGATION_MASK } from './flags.js';

/** S_IFMT bits of a device node (mknod(2)): character or block devices only. */
const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;

/**
 * Checks mount steps before they reach the spawn pipeline: absolute paths
 * without `..` or NUL, at most one `rootfs` (first), `pivot`/`chroot` only
 * after a `rootfs` and at most once, propagation values with exactly one
 * propagation bit, no propagation bits hidden in `flags`, overlay data with a
 * `lowerdir`, device nodes that are devices.
 *
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` naming the step (`mounts[3].target`).
 */
export function validateMountSteps(steps: readonly MountStep[], field = 'mounts'): void {
  if (!Array.isArray(steps)) throw invalidArgument(NamespaceError, field, 'mount steps must be an array');
  let rootfsAt = -1;
  let pivotAt = -1;
  steps.forEach((step, i) => {
    const f = `${field}[${i}]`;
    switch (step?.kind) {
      case 'rootfs':
        if (rootfsAt >= 0) throw invalidArgument(NamespaceError, f, `a second rootfs (the first is step ${rootfsAt})`);
        if (i !== 0) throw invalidArgument(NamespaceError, f, 'rootfs must be the first step', 'later steps resolve their targets inside it');
        rootfsAt = i;
        checkPath(step.path, `${f}.path`);
        if (step.mountPoint !== undefined) checkPath(step.mountPoint, `${f}.mountPoint`);
        if (step.propagation !== undefined) checkPropagation(step.propagation, `${f}.propagation`);
        if (step.recursive !== undefined && typeof step.recursive !== 'boolean') throw invalidArgument(NamespaceError, `${f}.recursive`, 'must be a boolean');
        break;
      case 'mount':
        checkPath(step.target, `${f}.target`);
        checkFlags(step.flags ?? 0, `${f}.flags`);
        if (step.propagation !== undefined) checkPropagation(step.propagation, `${f}.propagation`);
        if ((step.flags ?? 0) & MS.BIND) {
          if (!step.source) throw invalidArgument(NamespaceError, `${f}.source`, 'a bind mount needs a source');
          if (step.sourceInRoot) checkPath(step.source, `${f}.source`);
        } else if (!step.fstype) {
          throw invalidArgument(NamespaceError, `${f}.fstype`, 'a mount that is not a bind needs a filesystem type');
        }
        if (step.fstype === 'overlay' && !/(^|,)lowerdir=/.test(step.data ?? '')) {
          throw invalidArgument(NamespaceError, `${f}.data`, 'an overlay needs lowerdir=');
        }
        if (step.sourceInRoot && rootfsAt < 0) throw invalidArgument(NamespaceError, `${f}.sourceInRoot`, 'needs a rootfs step first');
        break;
      case 'idmap':
        checkPath(step.target, `${f}.target`);
        if (typeof step.source !== 'string' || !step.source.startsWith('/'))
          throw invalidArgument(NamespaceError, `${f}.source`, 'must be an absolute host path');
        if (!Number.isInteger(step.usernsFd) || step.usernsFd < 0) throw invalidArgument(NamespaceError, `${f}.usernsFd`, `${step.usernsFd} is not an fd`);
        break;
      case 'attach':
        checkPath(step.target, `${f}.target`);
        if (!Number.isInteger(step.treeFd) || step.treeFd < 0) throw invalidArgument(NamespaceError, `${f}.treeFd`, `${step.treeFd} is not an fd`);
        break;
      case 'pivot':
      case 'chroot':
        if (rootfsAt < 0) throw invalidArgument(NamespaceError, f, `${step.kind} needs a rootfs step before it`);
        if (pivotAt >= 0) throw invalidArgument(NamespaceError, f, `the root was already changed at step ${pivotAt}`);
        pivotAt = i;
        break;
      case 'mkdir':
        checkPath(step.path, `${f}.path`);
        if (step.mode !== undefined) checkMode(step.mode, `${f}.mode`);
        break;
      case 'symlink':
        checkPath(step.path, `${f}.path`);
        if (typeof step.target !== 'string' || step.target === '' || step.target.includes('\0')) {
          throw invalidArgument(NamespaceError, `${f}.target`, 'a symlink needs a target text');
        }
        break;
      case 'mknod': {
        checkPath(step.path, `${f}.path`);
        const type = step.mode & S_IFMT;
        if (type !== S_IFCHR && type !== S_IFBLK) throw invalidArgument(NamespaceError, `${f}.mode`, 'a device node needs S_IFCHR or S_IFBLK in mode');
        for (const k of ['major', 'minor'] as const) {
          if (!Number.isInteger(step[k]) || step[k] < 0) throw invalidArgument(NamespaceError, `${f}.${k}`, 'must be a non-negative integer');
        }
        break;
      }
      case 'mask':
      case 'readonly':
        checkPath(step.path, `${f}.path`);
        break;
      case 'remount':
        checkPath(step.target, `${f}.target`);
        checkFlags(step.flags, `${f}.flags`);
        break;
      case 'propagation':
        checkPath(step.target, `${f}.target`);
        checkPropagation(step.flags, `${f}.flags`);
        break;
      case 'setattr':
        checkPath(step.target, `${f}.target`);
        for (const k of ['set', 'clear'] as const) {
          const v = step[k];
          if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
            throw invalidArgument(NamespaceError, `${f}.${k}`, `${v} is not a MOUNT_ATTR_* mask`);
          }
          if (v !== undefined && v & MOUNT_ATTR.IDMAP) throw invalidArgument(NamespaceError, `${f}.${k}`, 'MOUNT_ATTR_IDMAP needs an idmap step');
        }
        break;
      case 'umount':
        checkPath(step.target, `${f}.target`);
        if (step.flags !== undefined && (!Number.isInteger(step.flags) || step.flags < 0 || step.flags > 0xf)) {
          throw invalidArgument(NamespaceError, `${f}.flags`, 'umount2 flags are MNT_FORCE|MNT_DETACH|MNT_EXPIRE|UMOUNT_NOFOLLOW');
        }
        break;
      default:
        throw invalidArgument(NamespaceError, `${f}.kind`, `unknown mount step ${JSON.stringify((step as { kind?: unknown })?.kind)}`);
    }
  });
}

/** Absolute, no NUL, no `..` component: targets are resolved inside the rootfs and must say what they mean. */
function checkPath(p: unknown, field: string): void {
  if (typeof p !== 'string' || !p.startsWith('/')) throw invalidArgument(NamespaceError, field, `${JSON.stringify(p)} is not an absolute path`);
  if (p.includes('\0')) throw invalidArgument(NamespaceError, field, 'contains a NUL byte');
  if (p.split('/').includes('..')) throw invalidArgument(NamespaceError, field, `${p} has a '..' component`, 'write the path without ..');
}

function checkFlags(flags: number, field: string): void {
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) throw invalidArgument(NamespaceError, field, `${flags} is not a flag mask`);
  if (flags & MS_PROPAGATION_MASK) {
    throw invalidArgument(NamespaceError, field, 'propagation bits belong in `propagation`', 'mount(2) ignores other flags when one is set');
  }
}

function checkPropagation(flags: number, field: string): void {
  if (!Number.isInteger(flags) || (flags & ~(MS_PROPAGATION_MASK | MS.REC)) !== 0) {
    throw invalidArgument(NamespaceError, field, 'only MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE and MS_REC are allowed');
  }
  const bits = flags & MS_PROPAGATION_MASK;
  if (bits === 0 || (bits & (bits - 1)) !== 0) throw invalidArgument(NamespaceError, field, 'give exactly one propagation type');
}

function checkMode(mode: number, field: string): void {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw invalidArgument(NamespaceError, field, `${mode} is not a permission mode`);
}
