/**
 * The entry of the kc CLI's V8 startup snapshot (built by tsup.config.ts;
 * `node --snapshot-blob dist/snapshot/kc.blob -- ARGS` runs it, see bin/kc). At
 * build time it evaluates every command module, so a call starts with the
 * whole CLI already in the heap: no file read, parse or module evaluation.
 * Nothing here may touch the host while building: the native addon cannot
 * live in a snapshot and loads on first use, after deserialisation.
 */
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { RUNNERS } from './commands.js';
import { main } from './main.js';

/** Set at deserialisation: where the blob lives (dist/snapshot), what `import.meta.url` and `__dirname` stand for in this bundle. */
const where = globalThis as { __kcCliDir?: string; __kcCliUrl?: string };

function blobDir(): string {
  const i = process.execArgv.indexOf('--snapshot-blob');
  const blob = i >= 0 ? process.execArgv[i + 1] : undefined;
  return blob ? dirname(blob) : process.cwd();
}

function start(): void {
  where.__kcCliDir = blobDir();
  where.__kcCliUrl = pathToFileURL(join(where.__kcCliDir, 'kc.cjs')).href;
  // Deserialised, process.argv is [node, ...ARGS] (node consumed `--`).
  main(process.argv.slice(1), RUNNERS).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`kc: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}

// Evaluated into the snapshot now (the build waits for the event loop to
// drain); at run time these import()s resolve at once. checkpoint.js is
// CRIU's protobuf code, which Container loads only for checkpoint/restore.
void Promise.all([
  import('./lifecycle-commands.js'),
  import('./friendly-run.js'),
  import('./exec-command.js'),
  import('./checkpoint-commands.js'),
  import('./spec-command.js'),
  import('../lifecycle/checkpoint.js'),
  import('../internal/seccomp-adapter.js'),
]).then(([, , , , , , seccomp]) => {
  // kc's default profile (what `kc spec` and `kc run --rootfs` write), compiled
  // into the adapter's per-process cache: a call with it skips the compile.
  seccomp.compileSeccomp(seccomp.defaultSeccompProfile());
  v8.startupSnapshot.setDeserializeMainFunction(start);
});
