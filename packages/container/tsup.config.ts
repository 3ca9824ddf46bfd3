import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'tsup';
import { requireBanner, selfContained } from './tsup.shared.js';

export default defineConfig([
  // The library: @kc/* stay imports of their own packages (one KcError class
  // per process, so `instanceof` holds across packages). Leaves dist/cli/,
  // dist/cli-state/ and dist/snapshot/ to the CLI builds below, which run at
  // the same time.
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: { entry: { index: 'src/index.ts' } },
    clean: ['!cli/**', '!cli-state/**', '!snapshot/**', '!shim/**'],
    shims: true,
    target: 'node20',
    sourcemap: true,
  },
  // The kc CLI (bin/kc): one bundle with every @kc/* package and dependency
  // inside, so a call resolves no package at run time; each command is a
  // dynamic import() in main.ts, hence its own chunk: `kc --help` and
  // `kc spec` load no runtime, `kc state` no CRIU protobuf code. bin/kc runs
  // this when the snapshot below cannot be used.
  {
    entry: { kc: 'src/cli/run.ts' },
    outDir: 'dist/cli',
    ...selfContained,
    format: ['esm'],
    splitting: true,
    banner: requireBanner,
  },
  // `kc state` alone (src/cli/state-entry.ts), one CommonJS file with only
  // what it needs: bin/kc starts it with plain `node`, which costs less than
  // deserialising the whole CLI's snapshot below.
  {
    entry: { 'kc-state': 'src/cli/state-entry.ts' },
    outDir: 'dist/cli-state',
    ...selfContained,
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    shims: true,
    minify: true,
    onSuccess() {
      // The V8 code cache bin/kc-state.cjs loads the bundle with: the functions a `kc state` of an unknown id
      // compiles (its usage and error paths, the state store), written as the run exits.
      const root = mkdtempSync(join(tmpdir(), 'kc-state-cache-'));
      try {
        spawnSync(process.execPath, ['bin/kc-state.cjs', '--root', root, 'state', 'kc-build-warm-up'], {
          stdio: 'ignore',
          env: { ...process.env, KC_STATE_WRITE_CACHE: '1' },
        });
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
      if (!existsSync('dist/cli-state/kc-state.cache')) throw new Error('bin/kc-state.cjs wrote no code cache');
      return Promise.resolve();
    },
  },
  // The same CLI as one CommonJS file run once into a V8 startup snapshot
  // (src/cli/snapshot-entry.ts): bin/kc starts `node --snapshot-blob
  // dist/snapshot/kc.blob`, the CLI already evaluated in the heap. The blob
  // fits only the Node binary, V8 flags and CPU features that built it;
  // launch.sh records the binary and the CPU's flags for bin/kc to check.
  {
    entry: { kc: 'src/cli/snapshot-entry.ts' },
    outDir: 'dist/snapshot',
    ...selfContained,
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    // Paths are the blob's directory at run time, not the build's.
    define: { 'import.meta.url': 'globalThis.__kcCliUrl', __dirname: 'globalThis.__kcCliDir' },
    async onSuccess() {
      // V8 refuses a blob unless its flags and the CPU features it detects
      // match the build's, so build with no NODE_OPTIONS and record the
      // CPU's feature line for bin/kc to compare.
      const { NODE_OPTIONS: _ignored, ...buildEnv } = process.env;
      execFileSync(process.execPath, ['--snapshot-blob', 'dist/snapshot/kc.blob', '--build-snapshot', 'dist/snapshot/kc.cjs'], {
        stdio: 'inherit',
        env: buildEnv,
      });
      // bin/kc sources this (one read, where the shell's `read` takes a byte per syscall).
      const env = `node=${shellQuote(process.execPath)}\nbuilt_cpu=${shellQuote(cpuFlagsLine())}\n`;
      writeFileSync('dist/snapshot/launch.sh', env);
    },
  },
]);

/**
 * The first `flags` line of /proc/cpuinfo, as bin/kc reads it: V8 folds the
 * CPU features it detects into the tag a startup snapshot must match, so a
 * blob built here fails on a CPU with other features (a qemu guest, another
 * host sharing the tree) with exit 14.
 */
function cpuFlagsLine(): string {
  return readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:.*$/m)?.[0] ?? '';
}

/** `s` as one single-quoted POSIX shell word. */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}
