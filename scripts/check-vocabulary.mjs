#!/usr/bin/env node
// One name, one meaning across the SDK (docs/vocabulary.md): lists the exported names of every kc
// package's public entry with the TypeScript compiler API and fails when two packages export the
// same name for different declarations. A package that re-exports another package's symbol under
// the same name is fine: both names resolve to one declaration. A name kept only as a
// `@deprecated` alias (so user code keeps compiling after a rename) does not count as a second
// meaning; the check lists those aliases so they can be removed in the next major version.
//
// Usage: node scripts/check-vocabulary.mjs [--json]
// Exit code 0 when there is no collision, 1 otherwise (the collisions are printed).
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The public entry of every package, as tsconfig.json maps it. */
export const PACKAGE_ENTRIES = {
  '@kc/native': 'native/lib/index.ts',
  '@kc/cgroups': 'packages/cgroups/src/index.ts',
  '@kc/namespaces': 'packages/namespaces/src/index.ts',
  '@kc/seccomp': 'packages/seccomp/src/index.ts',
  '@kc/caps': 'packages/caps/src/index.ts',
  '@kc/criu': 'packages/criu/src/index.ts',
  '@kc/container': 'packages/container/src/index.ts',
};

/**
 * Reads every package's exports.
 * @param {Record<string, string>} entries - package name → its entry file, relative to `base`
 * @param {string} base - the directory the entries (and tsconfig.json, when present) live in
 * @returns {Map<string, Map<string, { declaration: string, deprecated: boolean }>>} package → (exported name → "file:line" of its declaration, and whether it is a deprecated alias)
 */
export function exportedNames(entries = PACKAGE_ENTRIES, base = root) {
  const configPath = join(base, 'tsconfig.json');
  const options = ts.sys.fileExists(configPath)
    ? ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, base).options
    : { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true };
  const program = ts.createProgram(
    Object.values(entries).map((p) => join(base, p)),
    { ...options, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const result = new Map();
  for (const [pkg, entry] of Object.entries(entries)) {
    const source = program.getSourceFile(join(base, entry));
    if (!source) throw new Error(`check-vocabulary: ${entry} is not in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`check-vocabulary: ${entry} has no module symbol`);
    const names = new Map();
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const decl = target.declarations?.[0];
      const where = decl
        ? `${relative(base, decl.getSourceFile().fileName)}:${decl.getSourceFile().getLineAndCharacterOfPosition(decl.getStart()).line + 1}`
        : `<${target.name}>`;
      const deprecated = target.getJsDocTags(checker).some((t) => t.name === 'deprecated');
      names.set(exported.name, { declaration: where, deprecated });
    }
    result.set(pkg, names);
  }
  return result;
}

/**
 * Names exported by two or more packages for different declarations: `collisions` when more than
 * one of those declarations is current, `deprecated` when all but one are deprecated aliases.
 * @param {Map<string, Map<string, { declaration: string, deprecated: boolean }>>} byPackage
 */
export function collisions(byPackage) {
  const byName = new Map();
  for (const [pkg, names] of byPackage) {
    for (const [name, { declaration, deprecated }] of names) {
      const owners = byName.get(name) ?? [];
      owners.push({ pkg, declaration, deprecated });
      byName.set(name, owners);
    }
  }
  const found = [];
  const deprecated = [];
  for (const [name, owners] of byName) {
    if (new Set(owners.map((o) => o.declaration)).size < 2) continue;
    const current = new Set(owners.filter((o) => !o.deprecated).map((o) => o.declaration));
    (current.size > 1 ? found : deprecated).push({ name, owners });
  }
  const byNameOrder = (a, b) => a.name.localeCompare(b.name);
  return { collisions: found.sort(byNameOrder), deprecated: deprecated.sort(byNameOrder) };
}

const describe = ({ name, owners }) =>
  `${name}\n${owners.map((o) => `  ${o.pkg.padEnd(16)} ${o.declaration}${o.deprecated ? ' (deprecated)' : ''}`).join('\n')}\n`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { collisions: found, deprecated } = collisions(exportedNames());
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ collisions: found, deprecated }, null, 2)}\n`);
  } else {
    if (deprecated.length > 0) process.stdout.write(`deprecated aliases that still share a name:\n${deprecated.map(describe).join('')}`);
    if (found.length > 0) process.stdout.write(`collisions:\n${found.map(describe).join('')}`);
    process.stdout.write(
      found.length === 0
        ? 'check-vocabulary: every exported name means one thing across the SDK\n'
        : `check-vocabulary: ${found.length} name(s) exported by several packages with different meanings (docs/vocabulary.md)\n`,
    );
  }
  process.exitCode = found.length === 0 ? 0 : 1;
}
