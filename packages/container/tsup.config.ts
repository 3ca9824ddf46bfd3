import { execFileSync } from 'node:child_process';
import { defineConfig } from 'tsup';
import { requireBanner, selfContained } from './tsup.shared.js';

/** Writes the V8 code cache bin/kc-cached.cjs loads `dist/<name>.cjs` with (every function compiled eagerly). */
function writeCodeCache(name: string): Promise<void> {
  execFileSync(process.execPath, ['bin/kc-cached.cjs', name], { stdio: 'inherit', env: { ...process.env, KC_WRITE_CODE_CACHE: '1' } });
  return Promise.resolve();
}

export default defineConfig([
  // The library: @kc/* stay imports of their own packages (one KcError class
  // per process, so `instanceof` holds across packages). Leaves dist/cli/,
  // dist/cli-cjs/ and dist/cli-state/ to the CLI builds below, which run at
  // the same time.
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: { entry: { index: 'src/index.ts' } },
    clean: ['!cli/**', '!cli-cjs/**', '!cli-state/**', '!shim/**'],
    shims: true,
    target: 'node20',
    sourcemap: true,
  },
  // The kc CLI as ES modules: one bundle with every @kc/* package and
  // dependency inside, so a call resolves no package at run time; each
  // command is a dynamic import() in main.ts, hence its own chunk: `kc --help`
  // and `kc spec` load no runtime, `kc state` no CRIU protobuf code. bin/kc
  // runs this with KC_ESM=1, or when the bundle below is missing.
  {
    entry: { kc: 'src/cli/run.ts' },
    outDir: 'dist/cli',
    ...selfContained,
    format: ['esm'],
    splitting: true,
    banner: requireBanner,
  },
  // The same CLI as one CommonJS file (dist/cli-cjs/kc.cjs) with a V8 code
  // cache of all its functions (kc.cache): bin/kc-cached.cjs compiles it from
  // the cache, which on Node 20 starts a `kc run` faster than ESM chunks
  // (module resolution and compiling) and than a V8 startup snapshot of the
  // same CLI (deserialising its whole heap): see bench/cli.ts. Modules are
  // still evaluated lazily, a command's on first use.
  {
    entry: { kc: 'src/cli/run.ts' },
    outDir: 'dist/cli-cjs',
    ...selfContained,
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    shims: true,
    minify: true,
    onSuccess: () => writeCodeCache('cli-cjs/kc'),
  },
  // `kc state` alone (src/cli/state-entry.ts), one CommonJS file with only
  // what it needs and its own code cache: engines call `state` after every
  // other command, and this starts faster than the whole CLI.
  {
    entry: { 'kc-state': 'src/cli/state-entry.ts' },
    outDir: 'dist/cli-state',
    ...selfContained,
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    shims: true,
    minify: true,
    onSuccess: () => writeCodeCache('cli-state/kc-state'),
  },
]);
