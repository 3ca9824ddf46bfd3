// Builds the API site (docs/api) with TypeDoc from typedoc.json, then fails
// when validation found problems: an export or exported member without a
// TSDoc comment (`validation.notDocumented`), a broken {@link}, or a type that
// is used by the API but not exported. Unlike `typedoc` alone, the site is
// still written when validation fails, so the gaps can be seen in it.
//
// Output: one summary table per package on stdout; every finding, one a line,
// in .cache/docs/validation.txt. Exit 0 when clean, 4 on validation findings
// (TypeDoc's own ValidationError code), 3 when the sources do not convert.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as td from 'typedoc';

const app = await td.Application.bootstrapWithPlugins({}, [
  new td.ArgumentsReader(0),
  new td.TypeDocReader(),
  new td.PackageJsonReader(),
  new td.TSConfigReader(),
  new td.ArgumentsReader(300).ignoreErrors(),
]);
if (app.logger.hasErrors()) process.exit(1);

const project = await app.convert();
if (!project) process.exit(3);

// Collect validation findings instead of printing hundreds of lines.
const findings = [];
const { warn, error } = app.logger;
app.logger.warn = (text) => findings.push(String(text));
app.logger.error = (text) => findings.push(String(text));
app.validate(project);
app.logger.warn = warn;
app.logger.error = error;

await app.generateOutputs(project);
if (app.logger.hasErrors()) process.exit(5);

mkdirSync('.cache/docs', { recursive: true });
writeFileSync('.cache/docs/validation.txt', findings.map((f) => `${f}\n`).join(''));

// "@kc/caps.CapSet.has (CallSignature), defined in ..., does not have any documentation"
const undocumented = /^(@kc\/[\w-]+)\.(\S+) \((\w+)\),.*does not have any documentation/;
const table = new Map();
const other = [];
for (const f of findings) {
  const m = undocumented.exec(f);
  if (!m) {
    other.push(f);
    continue;
  }
  const [, pkg, name] = m;
  const row = table.get(pkg) ?? { exports: 0, members: 0 };
  if (name.includes('.')) row.members++;
  else row.exports++;
  table.set(pkg, row);
}

console.log(`docs: wrote ${app.options.getValue('out')}`);
if (findings.length === 0) {
  console.log('docs: every export and exported member is documented; every link resolves');
  process.exit(0);
}
if (table.size > 0) {
  console.log('\npackage | undocumented exports | undocumented members');
  console.log('---|---|---');
  for (const [pkg, row] of [...table].sort()) console.log(`${pkg} | ${row.exports} | ${row.members}`);
}
for (const f of other) console.log(f);
console.log(`\ndocs: FAILED validation with ${findings.length} findings (all listed in .cache/docs/validation.txt)`);
process.exit(4);
