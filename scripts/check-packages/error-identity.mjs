// Run by check.mjs as `node --input-type=module -e <this text>` in the clean
// project, so `@kc/*` resolve as in a user's app. Loads every installed kc
// package twice, with `import` (ESM build) and `require` (CJS build), as an ESM
// app does when one of its CJS dependencies uses kc too, and asks whether one
// KcError identity holds: an error made by either build must be `instanceof`
// exactly the classes it is an instance of in its own build (found by the
// prototype chain, which `instanceof` does not consult first), in the other
// build too. Prints JSON: { packages, classes, nativeCopies, wrong: [...] }.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const names = readdirSync(join(process.cwd(), 'node_modules', '@kc')).map((n) => `@kc/${n}`);

// Arguments that construct each class (they all take a message first; JsonError
// also takes the JSON text, an offset and a path).
const ARGS = { JsonError: ['kc-check', '{', 0, []] };

/** The error classes a module exports, keyed `<package> <export name>`. */
function errorClasses(pkg, mod) {
  return Object.entries(mod)
    .filter(([, v]) => typeof v === 'function' && v.prototype instanceof Error)
    .map(([k, v]) => [`${pkg} ${k}`, v]);
}

const builds = { esm: new Map(), cjs: new Map() };
for (const pkg of names) {
  for (const [key, cls] of errorClasses(pkg, await import(pkg))) builds.esm.set(key, cls);
  for (const [key, cls] of errorClasses(pkg, require(pkg))) builds.cjs.set(key, cls);
}

const wrong = [];
const keys = [...builds.esm.keys()];
if (keys.length !== builds.cjs.size || keys.some((k) => !builds.cjs.has(k))) wrong.push('the ESM and CJS builds export different error classes');
if (builds.esm.get('@kc/native KcError') === builds.cjs.get('@kc/native KcError')) wrong.push('ESM and CJS share one KcError class: nothing is tested');

const make = (cls, key) => new cls(...(ARGS[key.split(' ')[1]] ?? ['kc-check']));
for (const a of keys) {
  for (const [from, to] of [
    ['cjs', 'esm'],
    ['esm', 'cjs'],
  ]) {
    const made = make(builds[from].get(a), a);
    const sameBuild = make(builds[to].get(a), a);
    for (const b of keys) {
      const want = Object.prototype.isPrototypeOf.call(builds[to].get(b).prototype, sameBuild);
      const got = made instanceof builds[to].get(b);
      if (got !== want) wrong.push(`${from} ${a} instanceof ${to} ${b} is ${got}, want ${want}`);
    }
  }
}
// Errors kc did not make are no KcError in either build.
for (const [what, v] of [
  ['Error', new Error('x')],
  ['TypeError', new TypeError('x')],
  ['a look-alike object', { name: 'KcError', code: 'EPERM', message: 'x' }],
]) {
  for (const b of ['esm', 'cjs']) {
    if (v instanceof builds[b].get('@kc/native KcError')) wrong.push(`${what} is instanceof the ${b} KcError`);
  }
}

// One installed @kc/native, whoever asks: a peer dependency, not a copy per package.
const nativeCopies = new Set(names.map((pkg) => createRequire(require.resolve(pkg)).resolve('@kc/native')));
if (nativeCopies.size !== 1) wrong.push(`@kc/native resolves to ${nativeCopies.size} files: ${[...nativeCopies].join(', ')}`);

process.stdout.write(JSON.stringify({ packages: names.length, classes: keys.length, nativeCopies: nativeCopies.size, wrong }));
