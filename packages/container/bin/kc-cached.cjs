'use strict';
// How bin/kc runs a built CLI bundle: `node kc-cached.cjs NAME ARGS...` loads
// dist/NAME.cjs (cli/kc, the whole CLI, or cli-state/kc-state, `kc state`
// alone) compiled from the V8 code cache the build left beside it
// (dist/NAME.cache), so a call skips parsing and compiling the bundle. V8
// checks the cache against its version, flags and the source, and a cache it
// rejects only costs the compile. With KC_WRITE_CODE_CACHE=1 (the build, see
// tsup.config.ts) it compiles every function of the bundle eagerly, writes
// the cache and exits without running anything; with KC_DEBUG_CODE_CACHE=1
// it says on stderr whether V8 used the cache.
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const name = process.argv[2];
process.argv.splice(2, 1); // the bundle sees the arguments as `kc` got them
const file = join(__dirname, '..', 'dist', `${name}.cjs`);
const cacheFile = join(__dirname, '..', 'dist', `${name}.cache`);
const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;

if (process.env.KC_WRITE_CODE_CACHE) {
  // Eagerly compiled, every command's code is in the cache; the flag goes back before the cache is made,
  // so the cache carries the flags a normal start has (V8 rejects a cache made under other flags).
  const v8 = require('node:v8');
  v8.setFlagsFromString('--no-lazy');
  const script = new Script(source, { filename: file });
  v8.setFlagsFromString('--lazy');
  writeFileSync(cacheFile, script.createCachedData());
} else {
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // no cache: compile
  }
  const script = new Script(source, { filename: file, cachedData });
  // Whether V8 took the cache (after a Node upgrade it cannot, until the package is rebuilt).
  if (process.env.KC_DEBUG_CODE_CACHE) process.stderr.write(`kc: code cache ${!cachedData ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used'}\n`);
  const module_ = { exports: {} };
  script.runInThisContext().call(module_.exports, module_.exports, createRequire(file), module_, file, dirname(file));
}
