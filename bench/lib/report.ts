import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseStats } from './measure.js';

// KC_BENCH_RESULTS: another directory for the JSON, e.g. a run in the qemu guest or a one-off comparison that must
// not overwrite the committed bench/results.
const resultsDir = process.env.KC_BENCH_RESULTS || join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** The raw samples written beside it, to bench/results/<suite>.samples.json (for charts). */
export interface SuiteSamples {
  suite: string;
  date: string;
  cases: { case: string; tool: string; samples_ms: number[] }[];
}

/** The JSON written to bench/results/<suite>.json (schema fixed by DESIGN.md). */
export interface SuiteResult {
  suite: string;
  date: string;
  machine: { kernel: string; cpus: number; node: string };
  cases: Omit<CaseStats, 'samples'>[];
}

const fmt = (n: number) => (Number.isFinite(n) ? (n < 1 ? n.toFixed(3) : n.toFixed(2)) : '-');

/**
 * Prints one table per case (each tool's median, p10, p90 and its ratio to
 * kc's median) and writes bench/results/<suite>.json; when the cases carry
 * their samples, also writes them to bench/results/<suite>.samples.json.
 * Returns the result.
 */
export function report(suite: string, cases: CaseStats[]): SuiteResult {
  const byCase = new Map<string, CaseStats[]>();
  for (const c of cases) byCase.set(c.case, [...(byCase.get(c.case) ?? []), c]);
  console.log(`\n## ${suite}`);
  console.log('case | tool | runs | median ms | p10 ms | p90 ms | × kc');
  console.log('---|---|---|---|---|---|---');
  for (const [name, rows] of byCase) {
    const kc = rows.find((r) => r.tool === 'kc');
    for (const r of rows) {
      const ratio = kc && kc.median_ms > 0 ? (r.median_ms / kc.median_ms).toFixed(2) : '-';
      console.log(`${name} | ${r.tool} | ${r.runs} | ${fmt(r.median_ms)} | ${fmt(r.p10_ms)} | ${fmt(r.p90_ms)} | ${ratio}`);
    }
  }
  const result: SuiteResult = {
    suite,
    date: new Date().toISOString(),
    machine: { kernel: release(), cpus: cpus().length, node: process.version },
    cases: cases.map(({ samples: _s, ...rest }) => rest),
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${suite}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const withSamples = cases.filter((c) => c.samples !== undefined && c.samples.length > 0);
  if (withSamples.length > 0) {
    const samples: SuiteSamples = {
      suite,
      date: result.date,
      cases: withSamples.map((c) => ({ case: c.case, tool: c.tool, samples_ms: c.samples ?? [] })),
    };
    writeFileSync(join(resultsDir, `${suite}.samples.json`), `${JSON.stringify(samples)}\n`);
  }
  return result;
}
