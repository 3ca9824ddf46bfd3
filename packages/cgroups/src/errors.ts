import { KcError, brandKcError } from '@kc/native';

/**
 * The one error class of `@kc/cgroups`. Bad input is rejected with
 * `code === 'INVALID_ARGUMENT'` and `field` set, before any file is written;
 * kernel failures carry the errno name in `code` (`'EBUSY'`, `'EACCES'`...) and
 * the cgroup file in `path`.
 *
 * @example
 * ```ts
 * try { Cgroup.create('a/../b'); }
 * catch (e) { if (e instanceof CgroupError && e.isInvalidArgument) console.log(e.field); }
 * ```
 */
export class CgroupError extends KcError {}
brandKcError(CgroupError, 'CgroupError');
