import { SeccompError } from '../errors.js';

/**
 * `JSON.stringify` that writes a `bigint` as the exact JSON number it stands
 * for (`JSON.stringify` throws on one), so {@link parseJsonExact} reads back
 * what was written: e.g. an OCI config whose seccomp arguments are bigints.
 *
 * @throws {@link SeccompError} `INVALID_ARGUMENT` when `value` has no JSON form (undefined, a function).
 * @example
 * ```ts
 * stringifyJsonExact({ value: 18446744073709551615n }); // '{"value":18446744073709551615}'
 * ```
 */
export function stringifyJsonExact(value: unknown, indent?: number): string {
  // Without a bigint the native stringifier is exact already (and far faster than with a replacer): it throws on the first bigint.
  try {
    const plain = JSON.stringify(value, null, indent) as string | undefined;
    if (plain !== undefined) return plain;
  } catch (e) {
    if (!(e instanceof TypeError && /BigInt/.test(e.message))) throw e;
  }
  // Each bigint first becomes a string with a tag no data can forge (a NUL and a fresh UUID), then its quotes go.
  // node:crypto loads here, on the rare bigint path, not with the module (a `kc state` never needs it).
  const tag = `\u0000kc-bigint-${process.getBuiltinModule('node:crypto').randomUUID()}:`;
  let tagged = false;
  const json = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v !== 'bigint') return v;
      tagged = true;
      return `${tag}${v}`;
    },
    indent,
  ) as string | undefined;
  if (json === undefined) throw new SeccompError('value: has no JSON form', { code: 'INVALID_ARGUMENT', field: 'value' });
  if (!tagged) return json;
  const quotedTag = JSON.stringify(tag)
    .slice(1, -1)
    .replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
  return json.replace(new RegExp(`"${quotedTag}(-?\\d+)"`, 'g'), '$1');
}
