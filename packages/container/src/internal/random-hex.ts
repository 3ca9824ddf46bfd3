/**
 * `bytes` random bytes as hex (temp-file names, lock nonces). node:crypto is
 * loaded on the first call rather than with the module: `kc state` reads
 * records and never writes one, and loading node:crypto is a large part of
 * that command's cost.
 */
export function randomHex(bytes: number): string {
  return process.getBuiltinModule('node:crypto').randomBytes(bytes).toString('hex');
}
