// The checks of scripts/check-packages.sh, run against a clean project whose
// node_modules holds the packed kc packages. Usage:
//   node scripts/check-packages/check.mjs PROJECT_DIR [--json FILE]
// Each check runs in a fresh `node` process started in PROJECT_DIR, so module
// resolution is exactly a user's. TypeScript (from this repository) reads the
// installed .d.ts files to list the declared values and to check that the
// types resolve for ESM and CJS consumers.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const project = process.argv[2];
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;
if (!project) {
  console.error('usage: check.mjs PROJECT_DIR [--json FILE]');
  process.exit(2);
}
const scope = join(project, 'node_modules', '@kc');
const names = readdirSync(scope).map((n) => `@kc/${n}`);
const results = [];

function check(pkg, name, fn) {
  try {
    const detail = fn();
    results.push({ pkg, check: name, ok: true, detail: detail ?? '' });
    console.log(`ok   ${pkg} ${name}${detail ? `: ${detail}` : ''}`);
  } catch (e) {
    const detail = String(e.stderr || e.message || e)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    results.push({ pkg, check: name, ok: false, detail });
    console.log(`FAIL ${pkg} ${name}: ${detail}`);
  }
}

/** Runs a script with `node` in the project and returns its stdout, parsed as JSON. */
function inProject(args, code) {
  return JSON.parse(execFileSync(process.execPath, [...args, '-e', code], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** The value (not type-only) exports a .d.ts declares. */
function declaredValues(dts) {
  const program = ts.createProgram([dts], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(dts);
  const moduleSymbol = file && checker.getSymbolAtLocation(file);
  if (!moduleSymbol) throw new Error(`${dts} has no module symbol`);
  return checker
    .getExportsOfModule(moduleSymbol)
    .filter((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      return (target.flags & ts.SymbolFlags.Value) !== 0 && !target.declarations?.every((d) => ts.isTypeOnlyImportOrExportDeclaration?.(d));
    })
    .map((s) => s.name)
    .sort();
}

/** Type-checks a consumer file in the project (NodeNext), returning the diagnostics text. */
function typecheckConsumer(fileName, source) {
  const path = join(project, fileName);
  writeFileSync(path, source);
  const program = ts.createProgram([path], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === path);
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ');
}

for (const pkg of names) {
  const dir = join(scope, pkg.slice('@kc/'.length));
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

  check(pkg, 'no workspace: ranges', () => {
    const fields = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];
    const bad = fields.flatMap((f) => Object.entries(manifest[f] ?? {}).filter(([, v]) => String(v).startsWith('workspace:')));
    if (bad.length) throw new Error(`still ${bad.map(([k, v]) => `${k}@${v}`).join(', ')}`);
    return `version ${manifest.version}`;
  });

  // One @kc/native per app: a package that bundled its own copy (a plain
  // dependency) would load a second addon and a second KcError on version drift.
  if (pkg !== '@kc/native') {
    check(pkg, '@kc/native is a peer dependency', () => {
      if (manifest.dependencies?.['@kc/native']) throw new Error(`a plain dependency (${manifest.dependencies['@kc/native']})`);
      const range = manifest.peerDependencies?.['@kc/native'];
      if (!range) throw new Error('not in peerDependencies');
      return `@kc/native ${range}`;
    });
  }

  // TypeScript users need @types/node when the declarations name Node types;
  // the package says so as an optional peer (JavaScript users need nothing).
  check(pkg, '@types/node declared when the .d.ts use Node types', () => {
    const dts = readdirSync(join(dir, 'dist')).filter((f) => /\.d\.c?ts$/.test(f));
    const uses = dts.filter((f) => /from ['"]node:|\bNodeJS\.|\bBuffer\b/.test(readFileSync(join(dir, 'dist', f), 'utf8')));
    const declared = manifest.peerDependencies?.['@types/node'] && manifest.peerDependenciesMeta?.['@types/node']?.optional === true;
    if (uses.length && !declared) throw new Error(`${uses.join(', ')} use Node types but @types/node is not an optional peer`);
    return uses.length ? `optional peer @types/node ${manifest.peerDependencies['@types/node']}` : 'no Node types used';
  });

  check(pkg, 'exports and bin targets exist', () => {
    const targets = [];
    const walk = (v) => (typeof v === 'string' ? targets.push(v) : v && typeof v === 'object' && Object.values(v).forEach(walk));
    walk(manifest.exports);
    for (const b of Object.values(typeof manifest.bin === 'string' ? { bin: manifest.bin } : (manifest.bin ?? {}))) targets.push(b);
    const missing = targets.filter((t) => !existsSync(join(dir, t)));
    if (missing.length) throw new Error(`missing ${missing.join(', ')}`);
    return `${targets.length} targets`;
  });

  const types = manifest.exports?.['.']?.import?.types ?? manifest.types;
  let declared = [];
  check(pkg, 'd.ts declares values', () => {
    declared = declaredValues(join(dir, types));
    return `${declared.length} values`;
  });

  const probe = `const m = MOD; const want = ${JSON.stringify(declared)};
    const missing = want.filter((k) => m[k] === undefined);
    process.stdout.write(JSON.stringify({ keys: Object.keys(m).length, missing }));`;
  for (const [label, args, load] of [
    ['ESM import', ['--input-type=module'], `await import('${pkg}')`],
    ['CJS require', ['--input-type=commonjs'], `require('${pkg}')`],
  ]) {
    check(pkg, `${label}: every declared value exists`, () => {
      const code = label.startsWith('ESM') ? probe.replace('MOD', load) : `(async () => { ${probe.replace('MOD', load)} })()`;
      const r = inProject(args, code);
      if (r.missing.length) throw new Error(`missing at run time: ${r.missing.join(', ')}`);
      return `${r.keys} exports`;
    });
  }

  check(pkg, 'types resolve for ESM and CJS consumers', () => {
    const id = pkg.replace(/\W/g, '_');
    const esm = typecheckConsumer(`${id}.check.mts`, `import * as m from '${pkg}';\nexport const n: number = Object.keys(m).length;\n`);
    const cjs = typecheckConsumer(`${id}.check.cts`, `import m = require('${pkg}');\nexport const n: number = Object.keys(m).length;\n`);
    if (esm || cjs) throw new Error(`esm: ${esm || 'ok'}; cjs: ${cjs || 'ok'}`);
  });
}

check('@kc/native', 'addon loads from prebuilds/', () => {
  const code = `const { loadAddon } = require('@kc/native'); loadAddon();
    const maps = require('node:fs').readFileSync('/proc/self/maps', 'utf8');
    const lib = maps.split('\\n').map((l) => l.split(/\\s+/)[5]).find((p) => p && p.endsWith('.node'));
    process.stdout.write(JSON.stringify({ lib }));`;
  const { lib } = inProject(['--input-type=commonjs'], code);
  if (!lib?.includes(`/prebuilds/linux-${process.arch}/`)) throw new Error(`loaded ${lib ?? 'no .node file'}`);
  if (existsSync(join(scope, 'native', 'build'))) throw new Error('the installed package has a build/ directory');
  return lib.slice(lib.indexOf('node_modules/'));
});

check('@kc/native', 'spawn works from the installed package', () => {
  const code = `import { spawn } from '@kc/native';
    const p = spawn({ argv: ['/bin/true'], stdio: ['ignore', 'ignore', 'ignore'] });
    process.stdout.write(JSON.stringify(await p.exited));`;
  const status = inProject(['--input-type=module'], code);
  if (status.exitCode !== 0) throw new Error(`exit ${JSON.stringify(status)}`);
  return 'spawn /bin/true exited 0';
});

// The runtime needs its static kc-init helper (createContainer seals a copy
// into a memfd), so a published @kc/container must ship it for each
// architecture it supports: prebuilds/linux-<arch>/kc-init, picked by
// process.arch (packages/container/src/internal/kc-init.ts). Checked from
// the ELF header: the machine (e_machine) and no PT_INTERP (static, so it
// runs in any rootfs).
if (names.includes('@kc/container')) {
  const ELF_MACHINE = { x64: 62, arm64: 183 };
  for (const [arch, machine] of Object.entries(ELF_MACHINE)) {
    check('@kc/container', `ships a static kc-init for linux-${arch}`, () => {
      const rel = `prebuilds/linux-${arch}/kc-init`;
      const file = join(scope, 'container', rel);
      if (!existsSync(file))
        throw new Error(`${rel} is not in the tarball (packages/container/scripts/build-kc-init.sh builds it; "files" in package.json ships it)`);
      const elf = readFileSync(file);
      if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) throw new Error(`${rel} is not a 64-bit ELF file`);
      if (elf.readUInt16LE(18) !== machine) throw new Error(`${rel} is for ELF machine ${elf.readUInt16LE(18)}, not ${machine}`);
      const phoff = Number(elf.readBigUInt64LE(32));
      const phentsize = elf.readUInt16LE(54);
      for (let i = 0; i < elf.readUInt16LE(56); i++) {
        if (elf.readUInt32LE(phoff + i * phentsize) === 3) throw new Error(`${rel} is dynamically linked (has PT_INTERP)`);
      }
      return `${rel}, ${elf.length} bytes`;
    });
  }
  check('@kc/container', 'ships no build/ (kc-init comes from prebuilds/)', () => {
    if (existsSync(join(scope, 'container', 'build'))) throw new Error('the installed package has a build/ directory');
  });
}

// Every package loaded with import and require in one process: one KcError
// identity across the two builds (scripts/check-packages/error-identity.mjs).
check('all', 'one KcError identity across ESM and CJS', () => {
  const probe = readFileSync(new URL('./error-identity.mjs', import.meta.url), 'utf8');
  const r = inProject(['--input-type=module'], probe);
  if (r.packages !== names.length) throw new Error(`loaded ${r.packages} of ${names.length} packages`);
  if (r.wrong.length) throw new Error(`${r.wrong.length} wrong: ${r.wrong.slice(0, 3).join('; ')}`);
  return `${r.classes} error classes of ${r.packages} packages, both ways; one @kc/native`;
});

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ passed, failed, results }, null, 2)}\n`);
console.log(`check-packages: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
