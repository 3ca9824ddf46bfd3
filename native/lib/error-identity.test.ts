/**
 * One KcError identity across the ESM and CJS builds: an ESM app that imports
 * a CJS dependency of kc loads both builds of @kc/native (and of the package),
 * so each class exists twice. The built dist/ files are loaded in a plain
 * `node` child (vitest's aliases would send `@kc/native` to the TypeScript
 * sources and hide the second build); scripts/setup.sh and
 * `pnpm exec turbo run build` make dist/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DIST = ['native/dist/index.js', 'native/dist/index.cjs', 'packages/seccomp/dist/index.js', 'packages/seccomp/dist/index.cjs'];

// Runs in the child: loads both builds of @kc/native and @kc/seccomp, and
// answers each `instanceof` question as a boolean keyed by its text.
const probe = `
import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
const builds = {
  esm: { ...(await import('./native/dist/index.js')), ...(await import('./packages/seccomp/dist/index.js')) },
  cjs: { ...require('./native/dist/index.cjs'), ...require('./packages/seccomp/dist/index.cjs') },
};
const out = { distinctClasses: builds.esm.KcError !== builds.cjs.KcError && builds.esm.SeccompError !== builds.cjs.SeccompError };
const make = {
  KcError: (b) => new b.KcError('m'),
  SpawnError: (b) => new b.SpawnError('m'),
  SeccompError: (b) => new b.SeccompError('m'),
  JsonError: (b) => new b.JsonError('bad', '{', 1, []),
  thrownJsonError: (b) => { try { b.parseJsonExact('{'); } catch (e) { return e; } },
};
for (const [from, to] of [['cjs', 'esm'], ['esm', 'cjs'], ['esm', 'esm']]) {
  for (const [what, fn] of Object.entries(make)) {
    const e = fn(builds[from]);
    for (const cls of ['KcError', 'SpawnError', 'SeccompError', 'JsonError']) out[from + ' ' + what + ' instanceof ' + to + ' ' + cls] = e instanceof builds[to][cls];
  }
  const others = { Error: new Error('m'), TypeError: new TypeError('m'), lookalike: { name: 'KcError', code: 'EPERM' }, null: null, string: 'KcError' };
  for (const [what, v] of Object.entries(others)) out[what + ' instanceof ' + to + ' KcError'] = v instanceof builds[to].KcError;
}
process.stdout.write(JSON.stringify(out));
`;

// Which class each made error belongs to, and so which `instanceof` must hold.
const IS_A: Record<string, string[]> = {
  KcError: ['KcError'],
  SpawnError: ['KcError', 'SpawnError'],
  SeccompError: ['KcError', 'SeccompError'],
  JsonError: ['KcError', 'SeccompError', 'JsonError'],
  thrownJsonError: ['KcError', 'SeccompError', 'JsonError'],
};

describe('KcError identity across the ESM and CJS dist builds (@kc/native and @kc/seccomp)', () => {
  let got: Record<string, boolean> = {};
  beforeAll(() => {
    const missing = DIST.filter((f) => !existsSync(`${root}/${f}`));
    expect(missing, 'dist/ is built (pnpm exec turbo run build)').toEqual([]);
    got = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8' }));
  });

  it('loads two distinct builds of each class (else nothing below is tested)', () => {
    expect(got.distinctClasses).toBe(true);
  });

  for (const [from, to] of [
    ['cjs', 'esm'],
    ['esm', 'cjs'],
    ['esm', 'esm'],
  ]) {
    it(`an error made by the ${from} build is instanceof exactly its classes and their parents in the ${to} build`, () => {
      for (const [what, classes] of Object.entries(IS_A)) {
        for (const cls of ['KcError', 'SpawnError', 'SeccompError', 'JsonError']) {
          const key = `${from} ${what} instanceof ${to} ${cls}`;
          expect(got[key], key).toBe(classes.includes(cls));
        }
      }
    });

    it(`errors and values kc did not make are not instanceof the ${to} KcError`, () => {
      for (const what of ['Error', 'TypeError', 'lookalike', 'null', 'string']) {
        const key = `${what} instanceof ${to} KcError`;
        expect(got[key], key).toBe(false);
      }
    });
  }
});
