// A vitest reporter that records what vitest's JSON report loses: unhandled
// errors (an unhandled rejection or an error thrown after a test ended leaves
// `success: true` and every test passed in the JSON) and the reason the run
// ended. It writes `<json report>.run.json` beside the JSON report named by
// `outputFile` (or `outputFile.json`), which scripts/test-totals.mjs reads.
//
//   vitest run --reporter=default --reporter=json --outputFile=X.json \
//     --reporter=./scripts/vitest-run-reporter.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Path of the run record that belongs to a JSON report path. */
export function runRecordPath(jsonReport) {
  return jsonReport.replace(/\.json$/, '') + '.run.json';
}

export default class RunReporter {
  onInit(vitest) {
    const out = vitest.config.outputFile;
    const json = typeof out === 'string' ? out : out?.json;
    this.target = json ? runRecordPath(resolve(vitest.config.root, json)) : undefined;
  }

  onTestRunEnd(testModules, unhandledErrors, reason) {
    if (!this.target) return;
    const first = (e) => String(e?.message ?? e?.name ?? e).split('\n')[0];
    const record = {
      reason,
      unhandledErrors: unhandledErrors.map((e) => ({ name: e?.name ?? 'Error', message: first(e) })),
      // Errors that belong to a file rather than a test: a failing
      // beforeAll/afterAll, an import or collection error.
      moduleErrors: testModules.flatMap((m) => m.errors().map((e) => ({ file: m.moduleId, message: first(e) }))),
    };
    mkdirSync(dirname(this.target), { recursive: true });
    writeFileSync(this.target, `${JSON.stringify(record, null, 2)}\n`);
  }
}
