import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawContainerIo, translateNative } from '@kc/native';
import { ContainerError } from '../errors.js';

/**
 * Where kc-init lives: `$KC_INIT` when set, else `build/kc-init` of this package
 * (reached from `src/internal/` and from `dist/`).
 */
export function kcInitPath(): string {
  if (process.env.KC_INIT) return process.env.KC_INIT;
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../build/kc-init', '../build/kc-init']) {
    const p = join(here, up);
    if (existsSync(p)) return p;
  }
  throw new ContainerError('kc-init helper not found', {
    code: 'NOT_FOUND',
    path: join(here, '../../build/kc-init'),
    hint: 'build it with `bash packages/container/scripts/build-kc-init.sh` or set KC_INIT',
  });
}

/**
 * A sealed in-memory copy of kc-init: the container executes it through
 * `/proc/self/fd/N`, so no file of the host is reachable through
 * /proc/PID/exe and the copy cannot be written (CVE-2019-5736).
 */
export function openKcInit(): number {
  const path = kcInitPath();
  return translateNative(ContainerError, () => rawContainerIo().memfdSealedCopy(path, 'kc-init'), { path });
}
