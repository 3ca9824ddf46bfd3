import { KcError, brandKcError } from '@kc/native';

/**
 * The one error class of `@kc/seccomp`. Bad policies are rejected with
 * `code === 'INVALID_ARGUMENT'` and `field` naming the rule (e.g.
 * `rules[3].args[0].index`) before anything reaches the kernel; failing
 * system calls (installing, notification ioctls) carry `errno` and `syscall`.
 *
 * @example
 * ```ts
 * try { compile(policy); } catch (e) { if (e instanceof SeccompError) console.log(e.field, e.hint); }
 * ```
 */
export class SeccompError extends KcError {}
brandKcError(SeccompError, 'SeccompError');
