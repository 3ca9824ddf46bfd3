// The totals line is the only verdict CI reads, so each way a run can fail
// must turn it red. The reports here are real: vitest runs tiny planted test
// files in a temp dir with the same reporters scripts/test.sh uses.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const vitestBin = join(root, 'node_modules/vitest/vitest.mjs');
const totalsScript = join(root, 'scripts/test-totals.mjs');
const reporter = join(root, 'scripts/vitest-run-reporter.mjs');

const planted: Record<string, string> = {
  'after-all.test.js': "afterAll(() => { throw new Error('planted leak'); });\ntest('a', () => {});\ntest('b', () => {});\n",
  'before-all.test.js': "beforeAll(() => { throw new Error('planted setup failure'); });\ntest('c', () => {});\ntest('d', () => {});\n",
  'unhandled.test.js': "test('e', () => { Promise.reject(new Error('planted unhandled rejection')); });\n",
  'clean-one.test.js': "test('f', () => {});\ntest.skip('g', () => {});\n",
  'clean-two.test.js': "test('h', () => {});\n",
  'assertion.test.js': "test('i', () => { expect(7, 'planted counter').toBe(8); });\n",
};

let dir = '';

/** Runs the inner vitest on the named planted files; the lane's report is `<lane>.json`. */
async function plantLane(lane: string, files: string[]): Promise<{ report: string; rc: number }> {
  // The inner vitest must not believe it runs inside this worker.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|TINYPOOL)/.test(k)));
  const report = join(dir, `${lane}.json`);
  const argv = [vitestBin, 'run', '--root', dir, '--reporter=json', `--outputFile=${report}`, `--reporter=${reporter}`, ...files];
  try {
    await run(process.execPath, argv, { cwd: dir, env });
    return { report, rc: 0 };
  } catch (e) {
    return { report, rc: (e as { code: number }).code };
  }
}

async function totals(...argv: string[]): Promise<{ rc: number; out: string; counts: { passed: number; failed: number; skipped: number } }> {
  let rc = 0;
  let out = '';
  try {
    out = (await run(process.execPath, [totalsScript, '--expect', join(dir, 'expectations.json'), ...argv])).stdout;
  } catch (e) {
    rc = (e as { code: number }).code;
    out = (e as { stdout: string }).stdout;
  }
  const last = out.trimEnd().split('\n').pop() ?? '';
  const m = /^(\d+) passed, (\d+) failed, (\d+) skipped$/.exec(last);
  expect(m, `last line '${last}'`).not.toBeNull();
  return { rc, out, counts: { passed: Number(m?.[1]), failed: Number(m?.[2]), skipped: Number(m?.[3]) } };
}

const plantedLanes: Record<string, { report: string; rc: number }> = {};
/** A planted lane's report and vitest's exit code. */
function lane(name: string): { report: string; rc: number } {
  const l = plantedLanes[name];
  if (!l) throw new Error(`no planted lane ${name}`);
  return l;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kc-totals-'));
  // No config import: globals, so the planted files need no module resolution.
  writeFileSync(join(dir, 'vitest.config.mjs'), "export default { test: { globals: true, include: ['*.test.js'] } };\n");
  for (const [name, body] of Object.entries(planted)) writeFileSync(join(dir, name), body);
  writeFileSync(join(dir, 'expectations.json'), `${JSON.stringify({ lanes: {} })}\n`);
  writeFileSync(join(dir, 'shrunk-expectations.json'), `${JSON.stringify({ lanes: { shrunk: { minFiles: 2, minTests: 3 } } })}\n`);
  const plan: Record<string, string[]> = {
    'after-all': ['after-all.test.js'],
    'before-all': ['before-all.test.js'],
    unhandled: ['unhandled.test.js'],
    assertion: ['assertion.test.js'],
    clean: ['clean-one.test.js', 'clean-two.test.js'],
    // The expectation says two files and three tests: one file "was deleted".
    shrunk: ['clean-one.test.js'],
  };
  const results = await Promise.all(Object.entries(plan).map(async ([lane, files]) => [lane, await plantLane(lane, files)] as const));
  for (const [name, r] of results) plantedLanes[name] = r;
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('test-totals.mjs', () => {
  it('a clean report is green (the control for every red case below)', async () => {
    expect(lane('clean').rc).toBe(0);
    const t = await totals('--exit', 'clean=0', lane('clean').report);
    expect(t.counts).toEqual({ passed: 2, failed: 0, skipped: 1 });
    expect(t.rc).toBe(0);
  });

  it('a failing afterAll turns the totals red although every test passed', async () => {
    const t = await totals(lane('after-all').report);
    expect(t.counts.passed).toBe(2);
    expect(t.counts.failed).toBeGreaterThan(0);
    expect(t.out).toContain('planted leak');
    expect(t.rc).toBe(1);
  });

  it('a failing beforeAll counts its tests as failed, never as skipped', async () => {
    const t = await totals(lane('before-all').report);
    expect(t.counts.skipped).toBe(0);
    expect(t.counts.failed).toBeGreaterThanOrEqual(2);
    expect(t.out).toContain('planted setup failure');
    expect(t.rc).toBe(1);
  });

  it('an unhandled rejection turns the totals red (vitest JSON says success: true)', async () => {
    const t = await totals(lane('unhandled').report);
    expect(t.counts.failed).toBeGreaterThan(0);
    expect(t.out).toContain('planted unhandled rejection');
    expect(t.rc).toBe(1);
  });

  it('a failed assertion is named with its message and values, so the tail of the CI output alone explains it', async () => {
    const t = await totals(lane('assertion').report);
    expect(t.counts.failed).toBe(1);
    expect(t.out).toMatch(/test failed: .*assertion\.test\.js > i\n {4}.*planted counter: expected 7 to be 8/);
    expect(t.rc).toBe(1);
  });

  it('a lane with fewer files and tests than its expectation is red (a deleted test file)', async () => {
    expect(lane('shrunk').rc).toBe(0);
    const t = await totals('--expect', join(dir, 'shrunk-expectations.json'), lane('shrunk').report);
    expect(t.counts.failed).toBeGreaterThan(0);
    expect(t.out).toMatch(/lane shrunk: FAILED/);
    expect(t.rc).toBe(1);
  });

  it('a runner that exits non-zero with a clean report is red and printed as FAILED', async () => {
    const t = await totals('--exit', 'clean=1', lane('clean').report);
    expect(t.counts.failed).toBeGreaterThan(0);
    expect(t.out).toMatch(/lane clean: FAILED .*\n {2}runner exited 1/);
    expect(t.rc).toBe(1);
  });

  it('an expected lane that is neither reported nor declared not-run is a failure', async () => {
    const t = await totals('--expect', join(dir, 'shrunk-expectations.json'), lane('clean').report);
    expect(t.out).toContain('lane shrunk: FAILED no report');
    expect(t.rc).toBe(1);
  });

  it('a lane with no report, and a failed check, are failures', async () => {
    const gone = await totals(join(dir, 'vanished.json'));
    expect(gone.counts.failed).toBe(1);
    const check = await totals('--check', 'leak-sweep=1', lane('clean').report);
    expect(check.out).toContain('check leak-sweep: FAILED');
    expect(check.counts.failed).toBe(1);
    expect(check.rc).toBe(1);
  });

  it('lanes not run are named, and the last line stays plain for CI', async () => {
    const t = await totals('--not-run', 'host', '--not-run', 'vm-unified', lane('clean').report);
    const lines = t.out.trimEnd().split('\n');
    expect(lines.at(-2)).toBe('2 passed, 0 failed, 1 skipped; lanes not run: host, vm-unified');
    expect(lines.at(-1)).toBe('2 passed, 0 failed, 1 skipped');
    expect(t.rc).toBe(0);
  });
});
