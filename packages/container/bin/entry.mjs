// What bin/kc.mjs and bin/containerd-shim-kc-v2.mjs share: run the built
// bundle (`pnpm --filter @kc/container build`), or, unbuilt or with
// KC_FROM_SOURCE=1 in the workspace, the TypeScript source through tsx (from
// the root node_modules) with the root tsconfig, whose paths map @kc/* to
// sources, building the static kc-init helper on first use.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/** Imports `built` (relative to bin/) when it exists, else `source` through tsx. */
export async function runEntry(built, source) {
  if (existsSync(here(built)) && !process.env.KC_FROM_SOURCE) {
    await import(pathToFileURL(here(built)).href);
    return;
  }
  if (!existsSync(here('../build/kc-init'))) {
    const { execFileSync } = await import('node:child_process');
    execFileSync('bash', [here('../scripts/build-kc-init.sh'), '--dev-only'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: here('../../../tsconfig.json') });
  await import(pathToFileURL(here(source)).href);
}
