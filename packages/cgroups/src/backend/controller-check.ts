import { KcErrorCode } from '@kc/native';
import { CgroupError } from '../errors.js';
import type { FileWrite } from '../resources/file-io.js';

/** Rejects writes for controllers the backend does not have, before any write. */
export function requireControllers(writes: readonly FileWrite[], available: readonly string[], where: string): void {
  for (const w of writes) {
    if (!available.includes(w.controller)) {
      throw new CgroupError(`the ${w.controller} controller is not available on ${where} (needed for ${w.file})`, {
        code: KcErrorCode.Unsupported,
        field: w.controller,
        hint: `available: ${available.join(' ') || 'none'}`,
      });
    }
  }
}
