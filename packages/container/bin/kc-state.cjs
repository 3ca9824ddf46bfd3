'use strict';
// `kc state` (bin/kc runs this for that command): dist/cli-state/kc-state.cjs,
// compiled with the V8 code cache the build left beside it (kc-state.cache),
// so a call skips most of parsing and compiling the bundle. A cache V8
// rejects (another Node, other flags) only costs the compile. With
// KC_STATE_WRITE_CACHE=1 (the build, see tsup.config.ts) the code compiled by
// the end of the run is written to the cache.
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const dir = join(__dirname, '..', 'dist', 'cli-state');
const file = join(dir, 'kc-state.cjs');
const cacheFile = join(dir, 'kc-state.cache');
let cachedData;
if (!process.env.KC_STATE_WRITE_CACHE) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // no cache: compile
  }
}
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, { filename: file, cachedData });
if (process.env.KC_STATE_WRITE_CACHE) process.on('exit', () => writeFileSync(cacheFile, script.createCachedData()));
const module_ = { exports: {} };
script.runInThisContext().call(module_.exports, module_.exports, createRequire(file), module_, file, dir);
