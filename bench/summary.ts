/**
 * One table over every benchmark suite: reads bench/results/<suite>.json (the
 * DESIGN.md schema), prints each case's tools with median, p10, p90 and the
 * ratio of each tool's median to kc's (× kc > 1 means kc is faster), and
 * writes bench/results/summary.json.
 *
 * Run: pnpm exec tsx bench/summary.ts (bash scripts/bench.sh runs it last).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuiteResult } from './lib/report.js';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

/** One row of the combined table. */
interface SummaryRow {
  suite: string;
  case: string;
  tool: string;
  runs: number;
  median_ms: number;
  p10_ms: number;
  p90_ms: number;
  /** This tool's median over kc's median in the same case; null when the case has no kc row. */
  ratio_to_kc: number | null;
}

const suites: SuiteResult[] = readdirSync(resultsDir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.samples.json') && f !== 'summary.json')
  .sort()
  .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as SuiteResult);

const rows: SummaryRow[] = [];
for (const s of suites) {
  for (const c of s.cases) {
    const kc = s.cases.find((k) => k.case === c.case && k.tool === 'kc');
    rows.push({ suite: s.suite, ...c, ratio_to_kc: kc && kc.median_ms > 0 ? c.median_ms / kc.median_ms : null });
  }
}

const fmt = (n: number) => (Number.isFinite(n) ? (n < 1 ? n.toFixed(3) : n.toFixed(2)) : '-');
const table = [
  ['suite', 'case', 'tool', 'runs', 'median ms', 'p10 ms', 'p90 ms', '× kc'],
  ...rows.map((r) => [
    r.suite,
    r.case,
    r.tool,
    String(r.runs),
    fmt(r.median_ms),
    fmt(r.p10_ms),
    fmt(r.p90_ms),
    r.ratio_to_kc === null ? '-' : r.ratio_to_kc.toFixed(2),
  ]),
];
const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => [...(row[i] ?? '')].length))) ?? [];
const line = (row: string[]) => row.map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - [...cell].length)).join(' | ');
console.log(`\n# kc benchmarks: ${suites.length} suites, ${rows.length} rows (× kc = tool median / kc median; > 1 means kc is faster)\n`);
console.log(line(table[0] ?? []));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
let previous = '';
for (const row of table.slice(1)) {
  const key = `${row[0]}/${row[1]}`;
  console.log(line(key === previous ? ['', '', ...row.slice(2)] : row));
  previous = key;
}

const machine = suites[0]?.machine ?? null;
const summary = { date: new Date().toISOString(), machine, suites: suites.map((s) => ({ suite: s.suite, date: s.date })), rows };
writeFileSync(join(resultsDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\nwrote ${join('bench', 'results', 'summary.json')}`);
