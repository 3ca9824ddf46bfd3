/**
 * `@kc/cgroups`.
 *
 * @packageDocumentation
 */
export {};
