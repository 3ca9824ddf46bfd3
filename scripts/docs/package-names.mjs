// TypeDoc plugin for kc's one-site build:
// - names each entry point's module after its npm package
//   (`native/lib/index.ts` -> `@kc/native`, `packages/caps/src/index.ts` ->
//   `@kc/caps`) rather than its path, without an `@module` tag in the sources;
// - attaches the package's README.md to its module as a document, so the
//   landing page's links to `../packages/<pkg>/README.md` land on a rendered
//   page inside the site (and keep working on GitHub).
// TypeDoc names a module by its path relative to the entry points' common
// directory (the repository root here), so `<name>/..` is the package root.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Converter, MinimalSourceFile, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const root = join(process.cwd(), reflection.name, '..');
    const manifest = join(root, 'package.json');
    if (!existsSync(manifest)) return;
    reflection.name = JSON.parse(readFileSync(manifest, 'utf8')).name;
    const readme = join(root, 'README.md');
    if (existsSync(readme)) context.converter.addDocument(reflection, new MinimalSourceFile(readFileSync(readme, 'utf8'), readme), 'README');
  });
}
