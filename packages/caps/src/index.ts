/**
 * `@kc/caps`.
 *
 * @packageDocumentation
 */
export {};
