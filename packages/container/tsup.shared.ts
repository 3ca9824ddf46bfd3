import type { Options } from 'tsup';

/**
 * What every self-contained bundle of this package shares (the kc CLI, its
 * state command, its startup snapshot, the containerd shim): every @kc/*
 * package and dependency inside, so a run resolves no package; @kc/* from
 * their sources through the root tsconfig's paths (their dists carry
 * import.meta.url shims evaluated at load, which a snapshot cannot hold);
 * error classes keep their names (a KcError's `name` is its class name).
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
