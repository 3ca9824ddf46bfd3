/**
 * `@kc/seccomp`.
 *
 * @packageDocumentation
 */
export {};
