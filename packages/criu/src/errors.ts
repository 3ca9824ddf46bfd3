import { KcError, type KcErrorOptions, brandKcError } from '@kc/native';

/** Extra fields of a {@link CriuError}. */
export interface CriuErrorOptions extends KcErrorOptions {
  /** The errno CRIU reported in its response (`cr_errno`), when any. */
  criuErrno?: number;
  /** CRIU's own error text (`cr_errmsg`), when any. */
  criuMessage?: string;
  /** The last lines of CRIU's log file for the failed operation. */
  logTail?: string[];
  /** Where that log file is. */
  logFile?: string;
}

/**
 * The one error type of `@kc/criu`. Input rejected before CRIU runs has
 * `code === 'INVALID_ARGUMENT'` (with `field` and `hint`); a missing CRIU has
 * `code === 'NOT_FOUND'`; an operation CRIU refused has `code === 'TOOL_FAILED'`
 * and carries CRIU's error text and the tail of its log.
 *
 * @example
 * ```ts
 * try { await criu.dump({ pid, imagesDir }); }
 * catch (e) { if (e instanceof CriuError) console.error(e.criuMessage, e.logTail.join('\n')); }
 * ```
 */
export class CriuError extends KcError {
  /** The errno CRIU reported (`cr_errno`), when any. */
  readonly criuErrno: number | undefined;
  /** CRIU's own error text (`cr_errmsg`), when any. */
  readonly criuMessage: string | undefined;
  /** The last lines of CRIU's log file (empty when there was none). */
  readonly logTail: string[];
  /** The log file's path, when known. */
  readonly logFile: string | undefined;

  constructor(message: string, options: CriuErrorOptions = {}) {
    super(message, options);
    this.criuErrno = options.criuErrno;
    this.criuMessage = options.criuMessage;
    this.logTail = options.logTail ?? [];
    this.logFile = options.logFile;
  }
}
brandKcError(CriuError, 'CriuError');
