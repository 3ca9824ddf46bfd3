#!/usr/bin/env node
// Sums vitest JSON reports (one per lane) into per-lane lines and the final
// plain line "N passed, N failed, N skipped". Exit code 1 when anything failed
// or a lane produced no report.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = 0;
for (const file of process.argv.slice(2)) {
  const lane = basename(file, '.json');
  if (!existsSync(file)) {
    console.log(`lane ${lane}: no report (the lane crashed before finishing)`);
    broken++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const p = r.numPassedTests ?? 0;
  const f = (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0) * (r.numTotalTests === 0 ? 1 : 0);
  const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  const suitesFailed = (r.testResults ?? []).filter((t) => t.status === 'failed' && (t.assertionResults ?? []).length === 0).length;
  console.log(`lane ${lane}: ${p} passed, ${f + suitesFailed} failed, ${s} skipped`);
  passed += p;
  failed += f + suitesFailed;
  skipped += s;
}
failed += broken + Number(process.env.KC_EXTRA_FAILED ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
