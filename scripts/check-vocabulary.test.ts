// One name, one meaning across the SDK (docs/vocabulary.md). The check reads the real package
// entries with the TypeScript compiler; planted packages prove it catches a second meaning and
// lets a re-export or a deprecated alias through.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations (it runs under node with no build).
import { collisions, exportedNames } from './check-vocabulary.mjs';

type Owner = { pkg: string; declaration: string; deprecated: boolean };
type Found = { collisions: { name: string; owners: Owner[] }[]; deprecated: { name: string; owners: Owner[] }[] };
const check = collisions as (byPackage: unknown) => Found;
const names = exportedNames as (entries?: Record<string, string>, base?: string) => Map<string, Map<string, unknown>>;

describe('check-vocabulary', () => {
  it('finds no name that two kc packages export with different meanings', () => {
    const byPackage = names();
    expect([...byPackage.keys()]).toHaveLength(7);
    // The entries are really read: each package exports its error class.
    expect(byPackage.get('@kc/cgroups')?.has('CgroupError')).toBe(true);
    expect(byPackage.get('@kc/criu')?.has('CriuRestoreOptions')).toBe(true);
    expect(check(byPackage).collisions).toEqual([]);
  }, 60_000);

  const dir = mkdtempSync(join(tmpdir(), 'kc-vocabulary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails on a planted second meaning, passes a re-export and a deprecated alias', () => {
    const files: Record<string, string> = {
      'a.ts':
        "/** A's mode. */\nexport type Mode = 'x' | 'y';\n/** Shared. */\nexport const SHARED = 1;\n/** A's options. */\nexport interface Options { a?: number }\n",
      'b.ts':
        "export { SHARED } from './a.js';\n/** B's mode. */\nexport type Mode = 'p' | 'q';\n/** B's options. */\nexport interface BOptions { b?: number }\n/** @deprecated use {@link BOptions} */\nexport type Options = BOptions;\n",
    };
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    const found = check(names({ a: 'a.ts', b: 'b.ts' }, dir));
    expect(found.collisions.map((c) => c.name)).toEqual(['Mode']);
    expect(found.collisions[0]?.owners.map((o) => o.declaration)).toEqual(['a.ts:2', 'b.ts:3']);
    expect(found.deprecated.map((c) => c.name)).toEqual(['Options']);
  }, 60_000);
});
