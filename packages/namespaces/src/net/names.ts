import { invalidArgument } from '@kc/native';
import { NamespaceError } from '../errors.js';

/** IFNAMSIZ - 1: the longest interface name the kernel accepts, in bytes. */
export const MAX_INTERFACE_NAME_BYTES = 15;

/**
 * Checks an interface name as the kernel's dev_valid_name() does: 1..15
 * bytes, not `.` or `..`, no `/`, `:` or whitespace. Called before any
 * netlink message is sent.
 *
 * @throws {@link NamespaceError} `INVALID_ARGUMENT`.
 * @example
 * ```ts
 * validateInterfaceName('veth-kc-0');
 * ```
 */
export function validateInterfaceName(name: unknown, field = 'name'): asserts name is string {
  if (typeof name !== 'string' || name === '') throw invalidArgument(NamespaceError, field, 'an interface name is required');
  const bytes = Buffer.byteLength(name);
  if (bytes > MAX_INTERFACE_NAME_BYTES) {
    throw invalidArgument(NamespaceError, field, `${JSON.stringify(name)} is ${bytes} bytes; interface names have at most ${MAX_INTERFACE_NAME_BYTES}`);
  }
  if (name === '.' || name === '..' || /[/:\s\0]/.test(name)) {
    throw invalidArgument(NamespaceError, field, `${JSON.stringify(name)} contains '/', ':', whitespace or is . / ..`);
  }
}
