/**
 * The publish shape of every kc package, as a user meets it: packs each
 * package, installs the tarballs in a clean project outside the repository
 * and imports them with ESM and CJS (scripts/check-packages.sh). Host lane:
 * it needs the built dist/ (scripts/setup.sh builds it) and, for @kc/native,
 * the linux-x64 prebuild, which the script makes when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'kc-publish-shape-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface CheckResult {
  pkg: string;
  check: string;
  ok: boolean;
  detail: string;
}

describe('publish shape (pnpm pack, clean npm install, ESM and CJS)', () => {
  const PACKAGES = ['@kc/native', '@kc/cgroups', '@kc/namespaces', '@kc/seccomp', '@kc/caps', '@kc/criu', '@kc/container'];
  let results: CheckResult[] = [];

  it('runs scripts/check-packages.sh', { timeout: 180_000 }, () => {
    const json = join(out, 'results.json');
    const run = spawnSync('bash', ['scripts/check-packages.sh', '--no-build', '--json', json], { cwd: root, encoding: 'utf8' });
    expect(run.stdout).toMatch(/check-packages: \d+ passed, \d+ failed/);
    results = (JSON.parse(readFileSync(json, 'utf8')) as { results: CheckResult[] }).results;
    expect(results.length).toBeGreaterThan(0);
  });

  it.each(PACKAGES)('%s imports with import and require, with every declared value', (pkg) => {
    const mine = results.filter((r) => r.pkg === pkg);
    for (const name of [
      'ESM import: every declared value exists',
      'CJS require: every declared value exists',
      'exports and bin targets exist',
      'no workspace: ranges',
    ]) {
      const r = mine.find((x) => x.check === name);
      expect(r, `${pkg}: ${name} ran`).toBeDefined();
      expect(r?.ok, `${pkg}: ${name}: ${r?.detail}`).toBe(true);
    }
  });

  it('every check passed (types for ESM and CJS consumers, shipped helpers)', () => {
    const failed = results.filter((r) => !r.ok).map((r) => `${r.pkg} ${r.check}: ${r.detail}`);
    expect(failed).toEqual([]);
  });

  it('one KcError identity holds with every package loaded by import and require in one process', () => {
    const r = results.find((x) => x.check === 'one KcError identity across ESM and CJS');
    expect(r, 'the identity check ran').toBeDefined();
    expect(r?.ok, r?.detail).toBe(true);
  });

  it.each(PACKAGES.slice(1))('%s takes @kc/native as a peer dependency (one copy per app)', (pkg) => {
    const r = results.find((x) => x.pkg === pkg && x.check === '@kc/native is a peer dependency');
    expect(r?.ok, `${pkg}: ${r?.detail}`).toBe(true);
  });

  it('@kc/native loads its addon from prebuilds/ and spawns', () => {
    const load = results.find((r) => r.pkg === '@kc/native' && r.check === 'addon loads from prebuilds/');
    expect(load?.ok, load?.detail).toBe(true);
    expect(load?.detail).toMatch(/node_modules\/@kc\/native\/prebuilds\/linux-x64\/@kc\+native\.node$/);
    const spawn = results.find((r) => r.pkg === '@kc/native' && r.check === 'spawn works from the installed package');
    expect(spawn?.ok, spawn?.detail).toBe(true);
  });
});
