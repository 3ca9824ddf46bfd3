import { isSeccompArgValuePath, JsonError, parseJsonExact } from '@kc/seccomp';
import { ContainerError } from '../errors.js';

const SECCOMP: readonly string[] = ['linux', 'seccomp'];

/**
 * Parses the text of a `config.json` without changing any number: seccomp
 * argument operands (unsigned 64-bit, `linux.seccomp.syscalls[].args[].value`
 * and `valueTwo`) beyond 2^53 become bigint, and any other integer a
 * JavaScript number cannot hold exactly (a uid, a memory limit beyond
 * 2^53 - 1) is refused rather than rounded as `JSON.parse` would.
 *
 * @param file - the file the text came from, for the error
 * @throws {ContainerError} `INVALID_ARGUMENT` with `field` naming the value
 *   (e.g. `linux.resources.memory.limit`, or `config` for broken JSON) and the
 *   line and column in the message; `cause` is the {@link @kc/seccomp!JsonError}.
 */
export function parseConfigJson(text: string, file: string): unknown {
  try {
    return parseJsonExact(text, { bigintAt: (p) => isSeccompArgValuePath(p, SECCOMP) });
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    throw new ContainerError(`cannot read ${file}: ${e.message}`, {
      code: 'INVALID_ARGUMENT',
      path: file,
      field: e.field ?? 'config',
      hint: /exactly/.test(e.message)
        ? 'only linux.seccomp argument values may exceed 2^53 - 1; write the others as exact integers'
        : 'fix the JSON there (`kc spec` writes a valid config)',
      cause: e,
    });
  }
}
