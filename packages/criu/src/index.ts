/**
 * `@kc/criu`.
 *
 * @packageDocumentation
 */
export {};
