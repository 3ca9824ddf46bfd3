// Bundles vitest test files on the host into plain ESM JavaScript for the VM
// lane, so that the guest (software-emulated, 15-20x slower at JIT-heavy
// work) runs vitest without transforming any TypeScript.
//
//   node scripts/vm/bundle-tests.mjs --repo DIR --out DIR FILE...
//
// For each test file <dir>/<name>.ts it writes <out>/<same path relative to
// the repo>/<name>.vm.mjs and prints one line "<source>\t<bundle>" per file,
// with a third field "mocks" when the bundle uses vi.mock()/vi.doMock() or
// import.meta.vitest (the guest then turns vitest's module loader on).
// What a bundle holds: the test file and every workspace module it reaches
// (the @kc/* specifiers map to the TypeScript sources through the repo's
// tsconfig.json "paths", as vitest's aliases do). What stays an import:
// node builtins, vitest itself, and every npm package (loaded natively by
// Node from where the importing source would find it).
//
// Semantics kept: each bundled module's import.meta.url / dirname / filename
// is the original source file's, so code that finds files next to itself
// (the native addon, fixtures) behaves as when vitest runs the sources. The
// guest copies each bundle next to its source (in the overlay only; the host
// tree is untouched), so bare imports resolve from the test's own directory.
// Not kept: vi.mock() of workspace modules (they are bundled, not imported).
import { mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
let repo = process.cwd();
let out;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--repo') repo = resolve(args[++i]);
  else if (args[i] === '--out') out = resolve(args[++i]);
  else files.push(resolve(args[i]));
}
if (!out || files.length === 0) {
  console.error('usage: node scripts/vm/bundle-tests.mjs --repo DIR --out DIR FILE...');
  process.exit(2);
}

// esbuild ships with tsup and vite (both devDependencies of the repo).
function loadEsbuild() {
  const from = [join(repo, 'package.json'), ...['tsup', 'vite'].map((p) => join(repo, 'node_modules', p, 'package.json'))];
  for (const f of from) {
    try {
      return createRequire(realpathSync(f))('esbuild');
    } catch {}
  }
  throw new Error(`esbuild not found from ${repo} (it comes with tsup/vite: run pnpm install)`);
}
const esbuild = loadEsbuild();

const isBare = (p) => !p.startsWith('.') && !isAbsolute(p) && !p.startsWith('node:');

/** Keeps each workspace module's own location for import.meta.* lookups. */
const originalLocation = {
  name: 'kc-vm-original-location',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      let text = readFileSync(args.path, 'utf8');
      text = text
        .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href))
        .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(args.path)))
        .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path));
      // vitest defines __dirname/__filename per module (CommonJS style); in a
      // bundle they would name the bundle, so each module gets its own,
      // naming its source (esbuild renames them apart), unless it declares
      // them itself. Same line: source maps stay right.
      const pins = [
        ['__dirname', dirname(args.path)],
        ['__filename', args.path],
      ]
        .filter(([name]) => new RegExp(`\\b${name}\\b`).test(text))
        .filter(([name]) => !new RegExp(`\\b(const|let|var|function|class)\\s+${name}\\b`).test(text))
        .map(([name, value]) => `var ${name} = ${JSON.stringify(value)};`);
      if (pins.length > 0) text = `${pins.join(' ')} ${text}`;
      const ext = args.path.match(/\.([cm]?)([jt]s)(x?)$/);
      const loader = `${ext[2]}${ext[3]}`;
      return { contents: text, loader, resolveDir: dirname(args.path) };
    });
  },
};

/**
 * npm packages stay imports; workspace aliases (tsconfig paths) are bundled.
 * A package the test's own directory cannot resolve (a dependency of another
 * workspace package, e.g. @kc/cgroups' D-Bus client reached from a container
 * test) is imported by its resolved absolute path instead.
 */
const externalPackages = (testFile) => ({
  name: 'kc-vm-external-packages',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'kc-vm' || !isBare(args.path)) return undefined;
      if (args.path === 'vitest' || args.path.startsWith('vitest/') || args.path.startsWith('@vitest/')) {
        return { path: args.path, external: true };
      }
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'kc-vm' });
      if (r.errors.length > 0) return { errors: r.errors };
      if (r.external || !r.path.includes('/node_modules/')) return r.external ? { path: args.path, external: true } : { path: r.path };
      const fromTest = await build.resolve(args.path, { kind: args.kind, resolveDir: dirname(testFile), pluginData: 'kc-vm' });
      if (fromTest.errors.length > 0 || fromTest.path !== r.path) return { path: r.path, external: true };
      return { path: args.path, external: true };
    });
  },
});

const lines = [];
await Promise.all(
  files.map(async (file) => {
    const rel = relative(repo, file);
    const target = join(out, rel.startsWith('..') ? file.replace(/^\//, '') : rel).replace(/\.[cm]?[jt]sx?$/, '.vm.mjs');
    mkdirSync(dirname(target), { recursive: true });
    const build = (keepNames) =>
      esbuild.build({
        entryPoints: [file],
        outfile: target,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        tsconfig: join(repo, 'tsconfig.json'),
        sourcemap: 'inline',
        sourcesContent: false,
        logLevel: 'error',
        // Class and function .name survive esbuild's renaming of clashes.
        keepNames,
        plugins: [externalPackages(file), originalLocation],
      });
    await build(true);
    // vi.mock()/import.meta.vitest need Vite's module runner in the guest,
    // which hoists vi.mock() factories above everything, the keepNames
    // helper included: such bundles are made without it.
    const mocks = /\bvi\.(do)?mock\(|import\.meta\.vitest/.test(readFileSync(target, 'utf8'));
    if (mocks) await build(false);
    lines.push(`${file}\t${target}${mocks ? '\tmocks' : ''}`);
  }),
);
process.stdout.write(`${lines.join('\n')}\n`);
