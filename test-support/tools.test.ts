// The tool probes must fail the test command when a tool is missing, and only then.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** Evaluates tool('runc') in a fresh process whose PATH has no runc. */
function probeRuncWithoutPath(requireTools: boolean): string {
  const code = `import { tool } from './test-support/tools.ts'; try { console.log(String(tool('runc'))); } catch (e) { console.log('threw: ' + e.message); }`;
  const env = { ...process.env, PATH: '/nonexistent', KC_TEST_REQUIRE_TOOLS: requireTools ? '1' : '0' };
  // Node itself by path (PATH has nothing), with tsx's loader for the TypeScript module.
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', code], { cwd: root, env, encoding: 'utf8' }).trim();
}

describe('test-support/tools', () => {
  it('a missing tool throws under KC_TEST_REQUIRE_TOOLS=1 (the test command) and is false without it', () => {
    expect(probeRuncWithoutPath(true)).toMatch(/^threw: runc is missing: the test command needs it/);
    expect(probeRuncWithoutPath(false)).toBe('false');
  });
});
