/**
 * `@kc/namespaces`.
 *
 * @packageDocumentation
 */
export {};
