import type { Options } from 'tsup';

/**
 * What every self-contained bundle of this package shares (the kc CLI as ES
 * modules and as one CommonJS file, its state command, the containerd shim):
 * every @kc/* package and dependency inside, so a run resolves no package;
 * @kc/* from their sources through the root tsconfig's paths (one copy of
 * each module, whatever the format); error classes keep their names (a
 * KcError's `name` is its class name).
 */
export const selfContained: Options = {
  noExternal: [/.*/],
  tsconfig: '../../tsconfig.json',
  clean: true,
  target: 'node20',
  keepNames: true,
  sourcemap: false,
};

/**
 * For an ESM bundle: CommonJS dependencies bundled into it (@homebridge/dbus-native
 * of the systemd driver) call require() for Node's built-ins, so each chunk gets a
 * real one (esbuild's shim throws "Dynamic require of ... is not supported").
 */
export const requireBanner = {
  js: "import { createRequire as __kcCreateRequire } from 'node:module'; const require = __kcCreateRequire(import.meta.url);",
};
