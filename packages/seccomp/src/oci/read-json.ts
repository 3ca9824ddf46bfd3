import type { JsonPath } from '../json/json-error.js';
import { parseJsonExact } from '../json/parse-exact.js';
import type { OciSeccomp } from './types.js';

/**
 * True when `path` is an argument operand of a seccomp profile rooted at
 * `base`: `[...base, 'syscalls', i, 'args', j, 'value' | 'valueTwo']`. These
 * are unsigned 64-bit in the OCI spec, so {@link parseJsonExact} may return
 * them as bigint. Pass `['linux', 'seccomp']` for a whole `config.json`.
 *
 * @example
 * ```ts
 * const config = parseJsonExact(text, { bigintAt: (p) => isSeccompArgValuePath(p, ['linux', 'seccomp']) });
 * ```
 */
export function isSeccompArgValuePath(path: JsonPath, base: JsonPath = []): boolean {
  const n = base.length;
  if (path.length !== n + 5) return false;
  for (let i = 0; i < n; i++) if (path[i] !== base[i]) return false;
  const last = path[n + 4];
  return (
    path[n] === 'syscalls' &&
    typeof path[n + 1] === 'number' &&
    path[n + 2] === 'args' &&
    typeof path[n + 3] === 'number' &&
    (last === 'value' || last === 'valueTwo')
  );
}

/**
 * Parses a seccomp profile file (the OCI `linux.seccomp` object, or Docker's
 * format) with every argument operand exact: values beyond 2^53 become
 * bigint, so the filter compares the number written, not a rounded one.
 * The result is not validated: {@link importOciSeccomp} or
 * {@link resolveDockerProfile} does that.
 *
 * @throws {@link JsonError} for text that is not JSON or an inexact number elsewhere.
 * @example
 * ```ts
 * const { policy } = importOciSeccomp(parseOciSeccompJson(readFileSync('profile.json', 'utf8')));
 * ```
 */
export function parseOciSeccompJson(text: string): OciSeccomp {
  return parseJsonExact(text, { bigintAt: (p) => isSeccompArgValuePath(p) }) as OciSeccomp;
}
