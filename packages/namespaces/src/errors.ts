import { KcError, brandKcError } from '@kc/native';

/**
 * The one error type of `@kc/namespaces`: bad input (code `INVALID_ARGUMENT`,
 * with `field`), a missing namespace file (`NOT_FOUND`), or a failing system
 * call (errno name in `code`, plus `syscall` and `path`).
 *
 * @example
 * ```ts
 * try { createVethPair({ name: 'a-very-long-interface-name', peer: 'b' }); }
 * catch (e) { if (e instanceof NamespaceError && e.isInvalidArgument) console.log(e.field); }
 * ```
 */
export class NamespaceError extends KcError {}
brandKcError(NamespaceError, 'NamespaceError');
