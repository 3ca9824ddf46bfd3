/**
 * `@kc/container`.
 *
 * @packageDocumentation
 */
export {};
