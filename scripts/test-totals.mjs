#!/usr/bin/env node
// Sums the lanes of `bash scripts/test.sh` into one line CI reads:
//   N passed, N failed, N skipped
// and exits 1 when anything failed. It is the only judge of the run, so it
// counts everything that can go wrong, not only failed tests:
//   - a test that failed;
//   - a file-level error (a failing beforeAll/afterAll, an import or
//     collection error), once per file, and the tests of a failed file that
//     did not run count as failed, not skipped;
//   - every unhandled error (from `<lane>.run.json`, written by
//     scripts/vitest-run-reporter.mjs: vitest's JSON report drops them);
//   - a lane whose runner exited non-zero (`--exit lane=rc`), printed as
//     FAILED and counted when the report shows nothing else;
//   - a lane with fewer test files or tests than scripts/test-expectations.json
//     records (a deleted or silently unloaded test file);
//   - a lane with no report, and any failed check (`--check name=rc`: typecheck,
//     lint, docs, the leak sweep).
// Lanes this machine cannot run are named with `--not-run lane` and listed on
// the line before the last.
//
// Usage:
//   node scripts/test-totals.mjs [--expect FILE] [--exit LANE=RC]... [--check NAME=RC]...
//                                [--not-run LANE]... REPORT.json...
//   node scripts/test-totals.mjs --update-expectations [--expect FILE] REPORT.json...
// A report's lane is its file name without `.json`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
let expectFile = join(dirname(fileURLToPath(import.meta.url)), 'test-expectations.json');
let update = false;
const exits = new Map();
const checks = [];
const notRun = [];
const reports = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const pair = () => {
    const v = args[++i] ?? '';
    const at = v.lastIndexOf('=');
    if (at <= 0) usage(`${a} needs NAME=RC, got '${v}'`);
    return [v.slice(0, at), Number(v.slice(at + 1))];
  };
  if (a === '--expect') expectFile = args[++i];
  else if (a === '--update-expectations') update = true;
  else if (a === '--exit') exits.set(...pair());
  else if (a === '--check') checks.push(pair());
  else if (a === '--not-run') notRun.push(args[++i]);
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else reports.push(a);
}

function usage(why) {
  console.error(`test-totals: ${why}`);
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(2);
}

const laneOf = (file) => basename(file, '.json');
const firstLine = (s) => String(s ?? '').split('\n')[0];
const expectations = existsSync(expectFile) ? JSON.parse(readFileSync(expectFile, 'utf8')) : { lanes: {} };

/** Counts one lane's vitest JSON report (and its run record) honestly. */
function countLane(file) {
  const c = { passed: 0, failed: 0, skipped: 0, tests: 0, files: 0, problems: [] };
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const failedFiles = new Set();
  for (const f of r.testResults ?? []) {
    c.files++;
    const fileFailed = f.status === 'failed';
    if (fileFailed) failedFiles.add(f.name);
    let failedTests = 0;
    for (const t of f.assertionResults ?? []) {
      c.tests++;
      if (t.status === 'passed') c.passed++;
      else if (t.status === 'failed' || fileFailed) {
        // In a failed file a test that did not run was stopped by the failure
        // (a beforeAll that threw reports its tests as skipped).
        c.failed++;
        failedTests++;
        if (t.status === 'failed') {
          // The assertion's first lines, so a failure seen only in CI's tail can be read there.
          const why = (t.failureMessages ?? [])
            .join('\n')
            .split('\n')
            .filter((l) => l.trim() && !/^\s+at /.test(l));
          c.problems.push(`test failed: ${f.name} > ${t.fullName ?? t.title}${why.length ? `\n    ${why.slice(0, 6).join('\n    ')}` : ''}`);
        }
      } else c.skipped++;
    }
    if (fileFailed && (f.message || failedTests === 0)) {
      c.failed++;
      c.problems.push(`file failed: ${f.name}: ${firstLine(f.message) || 'no message'}`);
    }
  }
  const runFile = file.replace(/\.json$/, '.run.json');
  if (existsSync(runFile)) {
    const run = JSON.parse(readFileSync(runFile, 'utf8'));
    for (const e of run.unhandledErrors ?? []) {
      c.failed++;
      c.problems.push(`unhandled error: ${e.name}: ${e.message}`);
    }
    // A file-level error the JSON report did not mark on its file.
    for (const e of run.moduleErrors ?? []) {
      if (failedFiles.has(e.file)) continue;
      c.failed++;
      c.problems.push(`file error: ${e.file}: ${e.message}`);
    }
    if (run.reason !== 'passed' && c.failed === 0) {
      c.failed++;
      c.problems.push(`run ended '${run.reason}'`);
    }
  } else {
    c.failed++;
    c.problems.push(`no run record ${basename(runFile)} (unhandled errors unknown)`);
  }
  if (r.success === false && c.failed === 0) {
    c.failed++;
    c.problems.push('the report says success: false');
  }
  return c;
}

if (update) {
  expectations.note ??= '';
  expectations.lanes ??= {};
  for (const file of reports) {
    const lane = laneOf(file);
    const c = countLane(file);
    expectations.lanes[lane] = { minFiles: c.files, minTests: c.tests };
    console.log(`lane ${lane}: expecting at least ${c.files} files, ${c.tests} tests`);
  }
  writeFileSync(expectFile, `${JSON.stringify(expectations, null, 2)}\n`);
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const seen = new Set();
for (const file of reports) {
  const lane = laneOf(file);
  seen.add(lane);
  const rc = exits.get(lane) ?? 0;
  let c;
  if (!existsSync(file)) {
    c = { passed: 0, failed: 1, skipped: 0, tests: 0, files: 0, problems: ['no report (the lane crashed before finishing)'] };
  } else {
    c = countLane(file);
    const want = expectations.lanes?.[lane];
    if (want && (c.files < want.minFiles || c.tests < want.minTests)) {
      c.failed++;
      c.problems.push(`${c.files} files, ${c.tests} tests; expected at least ${want.minFiles} files, ${want.minTests} tests (${basename(expectFile)})`);
    }
  }
  if (rc !== 0) {
    if (c.failed === 0) c.failed++;
    c.problems.push(`runner exited ${rc}`);
  }
  const verdict = c.failed > 0 || rc !== 0 ? ' FAILED' : '';
  console.log(`lane ${lane}:${verdict} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  for (const p of c.problems) console.log(`  ${p}`);
  passed += c.passed;
  failed += c.failed;
  skipped += c.skipped;
}
for (const lane of notRun) console.log(`lane ${lane}: not run`);
// A lane with an expectation that is neither reported nor declared not-run vanished.
for (const lane of Object.keys(expectations.lanes ?? {})) {
  if (!seen.has(lane) && !notRun.includes(lane)) {
    console.log(`lane ${lane}: FAILED no report and not declared not-run`);
    failed++;
  }
}
for (const [name, rc] of checks) {
  console.log(`check ${name}: ${rc === 0 ? 'ok' : `FAILED (exit ${rc})`}`);
  if (rc !== 0) failed++;
}
const totals = `${passed} passed, ${failed} failed, ${skipped} skipped`;
if (notRun.length > 0) console.log(`${totals}; lanes not run: ${notRun.join(', ')}`);
console.log(totals);
process.exit(failed > 0 ? 1 : 0);
