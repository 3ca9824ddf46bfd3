import { existsSync, readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

/** Where the addon was looked for, as {@link addonMissingHint} needs it. */
export interface AddonPlace {
  /** @kc/native's package root. */
  root: string;
  /** True when that root is this repository's `native/` (a pnpm workspace checkout), not an installed package. */
  workspace: boolean;
  /** The `prebuilds/` platform directories shipped (`linux-x64`...). */
  prebuilds: readonly string[];
  /** `${process.platform}-${process.arch}`. */
  target: string;
}

/** Reads an {@link AddonPlace} for the package root `root`. */
export function addonPlace(root: string): AddonPlace {
  let prebuilds: string[] = [];
  try {
    prebuilds = readdirSync(join(root, 'prebuilds')).sort();
  } catch {
    // none shipped
  }
  // A workspace checkout: native/ beside the repository's pnpm-workspace.yaml, not inside a node_modules.
  const workspace = !root.split(sep).includes('node_modules') && existsSync(join(root, '..', 'pnpm-workspace.yaml'));
  return { root, workspace, prebuilds, target: `${process.platform}-${process.arch}` };
}

/**
 * What to do when the addon does not load: in kc's own checkout, the
 * workspace build; for a package installed by npm (or yarn, or pnpm in
 * another project), the package manager's rebuild, since the `install`
 * script that picks a prebuilt binary or compiles one did not run or failed.
 */
export function addonMissingHint(place: AddonPlace): string {
  const toolchain = 'python3, make and a C++ compiler (Debian: apt-get install python3 make g++)';
  if (place.workspace) return `build it with \`pnpm --filter @kc/native build\` (needs ${toolchain})`;
  const shipped = place.prebuilds.length > 0 ? place.prebuilds.join(', ') : 'none';
  const prebuilt = place.prebuilds.includes(place.target)
    ? `a prebuilt binary for ${place.target} ships with @kc/native but did not load (a glibc older than the build machine's, or a musl libc?)`
    : `no prebuilt binary ships for ${place.target} (prebuilt: ${shipped})`;
  return `${prebuilt}; compile it from your project with \`npm rebuild @kc/native\` (needs ${toolchain}), and do not install with --ignore-scripts`;
}
