import { brandKcError } from '@kc/native';
import { CgroupError } from '../errors.js';

/** Extra fields of a {@link SystemdError}. */
export interface SystemdErrorDetails {
  /** The unit concerned, e.g. `kc-demo.scope`. */
  unit?: string | undefined;
  /** The D-Bus error name systemd answered with, e.g. `org.freedesktop.systemd1.NoSuchUnit`. */
  dbusError?: string | undefined;
  /** The result of the unit's job as systemd's `JobRemoved` signal gave it: `failed`, `timeout`, `canceled`, `dependency`, `skipped`. */
  jobResult?: string | undefined;
}

/**
 * An error from the systemd cgroup driver: systemd refused a call (`dbusError`
 * set, `code` `'SYSTEMD_REFUSED'`), a job ended other than `done` (`jobResult`
 * set, `code` `'SYSTEMD_JOB_FAILED'`), or a job did not end in time (`code`
 * `'ETIMEDOUT'`). Bad input is a plain {@link CgroupError} `INVALID_ARGUMENT`;
 * a missing system bus is `UNSUPPORTED`.
 *
 * @example
 * ```ts
 * try { await SystemdCgroup.create('nope.slice:kc:demo', { pid }); }
 * catch (e) { if (e instanceof SystemdError) console.log(e.unit, e.jobResult ?? e.dbusError); }
 * ```
 */
export class SystemdError extends CgroupError {
  /** The unit concerned. */
  readonly unit: string | undefined;
  /** The D-Bus error name systemd answered with. */
  readonly dbusError: string | undefined;
  /** The job result (`failed`, `timeout`, `canceled`, `dependency`...) when a job ended other than `done`. */
  readonly jobResult: string | undefined;

  constructor(message: string, options: ConstructorParameters<typeof CgroupError>[1] & SystemdErrorDetails = {}) {
    super(message, options);
    this.unit = options.unit;
    this.dbusError = options.dbusError;
    this.jobResult = options.jobResult;
  }
}
brandKcError(SystemdError, 'SystemdError');
