import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KcErrorCode } from '@kc/native';
import { CriuError } from './errors.js';

/** Where CRIU is looked for after `$PATH`: scripts/install-criu.sh installs to the first. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/sbin'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the `criu` binary: `explicit` when given, else the first `criu` on
 * `$PATH`, then in /usr/local/sbin, /usr/local/bin, /usr/sbin and /sbin.
 *
 * @throws {@link CriuError} with code `NOT_FOUND` and a hint to install CRIU >= 4.0.
 * @example
 * ```ts
 * const bin = locateCriu(); // '/usr/local/sbin/criu'
 * ```
 */
export function locateCriu(explicit?: string): string {
  const hint = 'install CRIU >= 4.0 (in the kc repository: `bash scripts/install-criu.sh`), or pass { binary }';
  if (explicit !== undefined) {
    if (isExecutable(explicit)) return explicit;
    throw new CriuError(`criu binary ${explicit} is missing or not executable`, {
      code: KcErrorCode.NotFound,
      path: explicit,
      hint,
    });
  }
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, 'criu');
    if (isExecutable(candidate)) return candidate;
  }
  throw new CriuError('criu was not found on $PATH nor in /usr/local/sbin', { code: KcErrorCode.NotFound, hint });
}
