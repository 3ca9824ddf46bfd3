import { KcError, brandKcError } from '@kc/native';
import type { KcErrorOptions } from '@kc/native';

/** Extra fields of a {@link CapsError}: where in a text the problem is. */
export interface CapsErrorOptions extends KcErrorOptions {
  /** Offset (0-based, in UTF-16 code units) of the offending token in the parsed text. */
  offset?: number;
  /** The offending token itself, e.g. `'cap_nonsense'` or `'q'`. */
  token?: string;
}

/**
 * The one error class of `@kc/caps`. Bad input (an unknown capability name, a
 * malformed libcap text, an impossible set combination) has `code`
 * `'INVALID_ARGUMENT'`, a `field`, and for texts the `offset` and `token` of
 * the problem; failing system calls carry `errno`, `syscall` and `path`.
 *
 * @example
 * ```ts
 * try { parseCapText('cap_nonsense+e'); }
 * catch (e) { if (e instanceof CapsError) console.log(e.code, e.offset, e.token); } // INVALID_ARGUMENT 0 cap_nonsense
 * ```
 */
export class CapsError extends KcError {
  /** Offset of the offending token in the parsed text, when parsing failed. */
  readonly offset: number | undefined;
  /** The offending token, when parsing failed. */
  readonly token: string | undefined;

  constructor(message: string, options: CapsErrorOptions = {}) {
    super(message, options);
    this.offset = options.offset;
    this.token = options.token;
  }
}
brandKcError(CapsError, 'CapsError');
