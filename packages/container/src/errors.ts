import { KcError, brandKcError } from '@kc/native';

/**
 * The one error class of `@kc/container`: invalid bundles and configs
 * (`code: 'INVALID_ARGUMENT'`, `field` such as `linux.namespaces[2].type`),
 * unknown containers (`'NOT_FOUND'`), wrong lifecycle states
 * (`'INVALID_STATE'`) and failed kernel steps (errno codes).
 *
 * @example
 * ```ts
 * try { validateConfig(json); }
 * catch (e) { if (e instanceof ContainerError) console.error(e.field, e.message); }
 * ```
 */
export class ContainerError extends KcError {}
brandKcError(ContainerError, 'ContainerError');
