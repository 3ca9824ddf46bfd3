import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawContainerIo, translateNative } from '@kc/native';
import { ContainerError } from '../errors.js';

let defaultPath: string | undefined;

/**
 * Where kc-init lives: `$KC_INIT` when set; else `build/kc-init` of this
 * package (a workspace build for this machine); else the prebuilt static
 * `prebuilds/linux-<arch>/kc-init` the npm package ships (x64 and arm64).
 * Each is looked up from `src/internal/` and from `dist/`.
 * @throws {ContainerError} NOT_FOUND when there is none for this architecture.
 */
export function kcInitPath(): string {
  if (process.env.KC_INIT) return process.env.KC_INIT;
  if (defaultPath) return defaultPath;
  const here = dirname(fileURLToPath(import.meta.url));
  const prebuilt = `prebuilds/linux-${process.arch}/kc-init`;
  for (const rel of ['build/kc-init', prebuilt]) {
    for (const up of ['../..', '..']) {
      const p = join(here, up, rel);
      if (existsSync(p)) {
        defaultPath = p;
        return p;
      }
    }
  }
  throw new ContainerError(`kc-init helper not found: @kc/container ships it for linux-x64 and linux-arm64, not for linux-${process.arch}`, {
    code: 'NOT_FOUND',
    path: join(here, '..', prebuilt),
    hint: 'in the workspace build it with `bash packages/container/scripts/build-kc-init.sh`; elsewhere compile native/tools/kc-init.c of the kc repository statically, `cc -static -O2 -o kc-init kc-init.c`, and set KC_INIT to it',
  });
}

let cached: { path: string; fd: number } | undefined;

/**
 * A sealed in-memory copy of kc-init: the container executes it through
 * `/proc/self/fd/N`, so no file of the host is reachable through
 * /proc/PID/exe and the copy cannot be written (CVE-2019-5736).
 *
 * The copy is made once per Node process and shared by every container
 * (copying the ~770 KB static binary cost ≈ 0.5 ms per container). Sharing
 * is safe because the memfd carries F_SEAL_WRITE | F_SEAL_SHRINK |
 * F_SEAL_GROW | F_SEAL_SEAL (memfd_create(2), fcntl(2) "File Sealing"): no
 * fd to it — in kc or in any container that reaches it through
 * /proc/PID/exe — can change its contents or size, and the seals cannot be
 * removed, so what one container could see is exactly what every other
 * executes. It is MFD_CLOEXEC, so only the spawn pipeline hands it on (as
 * fd 3 through `extraFds`). The caller must NOT close the returned fd.
 */
export function openKcInit(): number {
  const path = kcInitPath();
  if (cached?.path !== path) {
    const fd = translateNative(ContainerError, () => rawContainerIo().memfdSealedCopy(path, 'kc-init'), { path });
    cached = { path, fd };
  }
  return cached.fd;
}
