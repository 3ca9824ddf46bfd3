#!/usr/bin/env node
// The kc CLI without its startup snapshot (bin/kc runs this when there is no
// usable dist/snapshot/kc.blob). Built (`pnpm --filter @kc/container build`):
// runs dist/cli/kc.js, one bundle whose commands are chunks loaded on use (see
// tsup.config.ts).
// From source in the workspace: loads src/cli/run.ts through tsx (from the
// root node_modules) with the root tsconfig, whose paths map @kc/* to sources.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const built = here('../dist/cli/kc.js');
if (existsSync(built) && !process.env.KC_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  // From source, build the static kc-init helper on first use.
  if (!existsSync(here('../build/kc-init'))) {
    const { execFileSync } = await import('node:child_process');
    execFileSync('bash', [here('../scripts/build-kc-init.sh'), '--dev-only'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: here('../../../tsconfig.json') });
  await import(pathToFileURL(here('../src/cli/run.ts')).href);
}
