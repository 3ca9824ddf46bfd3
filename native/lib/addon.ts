import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonMissingHint, addonPlace } from './addon-hint.js';
import { KcError, KcErrorCode } from './errors.js';

let cached: unknown;

/**
 * The package root (where binding.gyp and prebuilds/ live): one level above
 * this file in source and in dist/; when this file is bundled into another
 * package's output (the kc CLI bundle), @kc/native as resolved from there.
 */
function packageRoot(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  const root = join(here, '..');
  if (existsSync(join(root, 'binding.gyp'))) return root;
  // Bundled into @kc/container's dist/<dir>/: @kc/native beside it, as a workspace or an npm install lays it out; else ask the resolver (slower).
  for (const up of ['../../node_modules/@kc/native', '../../../native']) {
    const candidate = join(here, up);
    if (existsSync(join(candidate, 'binding.gyp'))) return candidate;
  }
  return dirname(createRequire(join(here, 'index.js')).resolve('@kc/native/package.json'));
}

/**
 * Loads kc's addon once, on first use (prebuilt for this platform, else the
 * local source build). Pure code in other packages never calls this, so it
 * runs where the addon cannot load.
 *
 * @typeParam T - the raw-binding interface the caller needs (see `raw/*.ts`).
 * @throws {@link KcError} with code `UNSUPPORTED` when no build fits this platform.
 */
export function loadAddon<T>(): T {
  if (cached === undefined) {
    if (process.platform !== 'linux') {
      throw new KcError(`kc's native core needs Linux, not ${process.platform}`, { code: KcErrorCode.Unsupported });
    }
    const require = createRequire(join(packageRoot(), 'package.json'));
    try {
      // A local build is what node-gyp-build would pick first; loading it directly spares a CLI call loading node-gyp-build.
      const local = join(packageRoot(), 'build', 'Release', 'kc.node');
      if (!process.env.PREBUILDS_ONLY && existsSync(local)) cached = require(local);
      else {
        const load = require('node-gyp-build') as (dir: string) => unknown;
        cached = load(packageRoot());
      }
    } catch (e) {
      throw new KcError('kc native addon could not be loaded', {
        code: KcErrorCode.Unsupported,
        cause: e,
        hint: addonMissingHint(addonPlace(packageRoot())),
      });
    }
  }
  return cached as T;
}
