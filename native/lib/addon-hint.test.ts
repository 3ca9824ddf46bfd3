import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addonMissingHint, addonPlace } from './addon-hint.js';

const base = mkdtempSync(join(tmpdir(), 'kc-addon-hint-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A package root laid out as an npm install (node_modules/@kc/native) or as kc's checkout (native/ beside pnpm-workspace.yaml). */
function layout(kind: 'npm' | 'workspace', prebuilds: string[]): string {
  const project = mkdtempSync(join(base, `${kind}-`));
  const root = kind === 'npm' ? join(project, 'node_modules', '@kc', 'native') : join(project, 'native');
  for (const p of prebuilds) mkdirSync(join(root, 'prebuilds', p), { recursive: true });
  mkdirSync(root, { recursive: true });
  // An npm project may be a pnpm workspace of its own: the node_modules path still says "installed".
  writeFileSync(join(project, 'pnpm-workspace.yaml'), 'packages: []\n');
  if (kind === 'npm') writeFileSync(join(project, 'node_modules', '@kc', 'pnpm-workspace.yaml'), '');
  return root;
}

describe('the hint of an addon that does not load', () => {
  it('tells an npm user to rebuild with npm, never a pnpm workspace command', () => {
    const place = addonPlace(layout('npm', ['linux-arm64', 'linux-x64']));
    expect(place.workspace).toBe(false);
    const hint = addonMissingHint({ ...place, target: 'linux-riscv64' });
    expect(hint).toMatch(
      /^no prebuilt binary ships for linux-riscv64 \(prebuilt: linux-arm64, linux-x64\); compile it from your project with `npm rebuild @kc\/native`/,
    );
    expect(hint).toMatch(/python3, make and a C\+\+ compiler/);
    expect(hint).not.toMatch(/pnpm/);
  });
  it('says a shipped prebuilt binary did not load, when one exists for the platform', () => {
    const place = addonPlace(layout('npm', ['linux-x64']));
    expect(addonMissingHint({ ...place, target: 'linux-x64' })).toMatch(
      /^a prebuilt binary for linux-x64 ships with @kc\/native but did not load .*`npm rebuild @kc\/native`/,
    );
    expect(addonMissingHint({ ...addonPlace(layout('npm', [])), target: 'linux-x64' })).toMatch(/\(prebuilt: none\)/);
  });
  it("gives the pnpm workspace build only inside kc's own checkout", () => {
    const place = addonPlace(layout('workspace', []));
    expect(place.workspace).toBe(true);
    expect(addonMissingHint(place)).toMatch(/^build it with `pnpm --filter @kc\/native build`/);
  });
});
