/**
 * Draws the spawn latency distribution of kc beside its peers as an SVG (no
 * dependencies): one panel per case, one row per tool, on a log-scale time
 * axis; each row shows every sample as a dot, a box from p25 to p75, whiskers
 * from p10 to p90 and the median as a bar. Reads the raw samples that
 * bench/lib/report.ts writes to bench/results/<suite>.samples.json and writes
 * bench/results/spawn-latency.svg.
 *
 * Panels: the spawn suite's "/bin/true in 5 new namespaces" case (kc, bwrap,
 * runc, unshare, node), and the container suite's case when it has samples.
 *
 * Run: pnpm exec tsx bench/chart.ts (after bench/spawn.ts)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuiteSamples } from './lib/report.js';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
const output = join(resultsDir, 'spawn-latency.svg');

/** The cases drawn, in order: a suite and a case name (prefix) in it. */
const PANELS: { suite: string; casePrefix: string }[] = [
  { suite: 'spawn', casePrefix: '/bin/true in 5 new namespaces' },
  { suite: 'container', casePrefix: 'container start' },
];
const COLORS: Record<string, string> = {
  kc: '#d1495b',
  bwrap: '#00798c',
  runc: '#edae49',
  unshare: '#30638e',
  node: '#6c757d',
  crun: '#8e6c8a',
  podman: '#5b8e7d',
};

interface Row {
  tool: string;
  samples: number[];
}
interface Panel {
  title: string;
  rows: Row[];
}

function colorOf(tool: string): string {
  const key = Object.keys(COLORS).find((k) => tool.startsWith(k));
  return key ? (COLORS[key] as string) : '#444444';
}

function quantile(sorted: number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (i - lo);
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const panels: Panel[] = [];
for (const { suite, casePrefix } of PANELS) {
  const file = join(resultsDir, `${suite}.samples.json`);
  if (!existsSync(file)) continue;
  const data = JSON.parse(readFileSync(file, 'utf8')) as SuiteSamples;
  const cases = data.cases.filter((c) => c.case.startsWith(casePrefix) && c.samples_ms.length > 0);
  if (cases.length === 0) continue;
  // kc first, then the peers by median.
  const rows = cases
    .map((c) => ({ tool: c.tool, samples: [...c.samples_ms].sort((a, b) => a - b) }))
    .sort((a, b) => (a.tool === 'kc' ? -1 : b.tool === 'kc' ? 1 : quantile(a.samples, 0.5) - quantile(b.samples, 0.5)));
  panels.push({ title: `${cases[0]?.case ?? casePrefix} (${suite} suite, ${data.date.slice(0, 10)})`, rows });
}
if (panels.length === 0) {
  console.error('chart: no samples: run `pnpm exec tsx bench/spawn.ts` first');
  process.exit(1);
}

// Layout.
const width = 900;
const left = 210;
const right = 30;
const rowHeight = 46;
const panelGap = 70;
const all = panels.flatMap((p) => p.rows.flatMap((r) => r.samples)).filter((v) => v > 0);
const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
const x = (ms: number) => left + ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (width - left - right);

const parts: string[] = [];
let y = 50;
parts.push(
  `<text x="${width / 2}" y="26" text-anchor="middle" font-size="18" font-weight="bold">Spawn latency distribution: kc vs peers (log scale, lower is faster)</text>`,
);
for (const panel of panels) {
  parts.push(`<text x="${left}" y="${y + 14}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`);
  y += 26;
  const top = y;
  for (const row of panel.rows) {
    const cy = y + rowHeight / 2;
    const s = row.samples;
    const [p10, p25, p50, p75, p90] = [0.1, 0.25, 0.5, 0.75, 0.9].map((q) => quantile(s, q)) as [number, number, number, number, number];
    const color = colorOf(row.tool);
    parts.push(`<text x="${left - 10}" y="${cy - 2}" text-anchor="end" font-size="13">${escapeXml(row.tool)}</text>`);
    parts.push(`<text x="${left - 10}" y="${cy + 13}" text-anchor="end" font-size="11" fill="#555">median ${p50.toFixed(2)} ms, n=${s.length}</text>`);
    // Samples as dots, spread vertically by a deterministic jitter.
    s.forEach((v, i) => {
      const jitter = (((i * 7919) % 97) / 97 - 0.5) * (rowHeight * 0.7);
      parts.push(`<circle cx="${x(v).toFixed(1)}" cy="${(cy + jitter).toFixed(1)}" r="1.8" fill="${color}" fill-opacity="0.35"/>`);
    });
    parts.push(`<line x1="${x(p10).toFixed(1)}" x2="${x(p90).toFixed(1)}" y1="${cy}" y2="${cy}" stroke="#222" stroke-width="1.2"/>`);
    for (const w of [p10, p90])
      parts.push(`<line x1="${x(w).toFixed(1)}" x2="${x(w).toFixed(1)}" y1="${cy - 6}" y2="${cy + 6}" stroke="#222" stroke-width="1.2"/>`);
    parts.push(
      `<rect x="${x(p25).toFixed(1)}" y="${cy - 11}" width="${Math.max(1, x(p75) - x(p25)).toFixed(1)}" height="22" fill="${color}" fill-opacity="0.55" stroke="#222"/>`,
    );
    parts.push(`<line x1="${x(p50).toFixed(1)}" x2="${x(p50).toFixed(1)}" y1="${cy - 13}" y2="${cy + 13}" stroke="#000" stroke-width="3"/>`);
    y += rowHeight;
  }
  // Log axis with decade labels and 2x/5x minor ticks.
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="#222"/>`);
  for (let d = lo; d <= hi; d *= 10) {
    for (const m of [1, 2, 5]) {
      const v = d * m;
      if (v > hi) break;
      const major = m === 1;
      parts.push(
        `<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${major ? top : y}" y2="${y + (major ? 6 : 3)}" stroke="${major ? '#ccc' : '#222'}"/>`,
      );
      parts.push(`<text x="${x(v).toFixed(1)}" y="${y + 20}" text-anchor="middle" font-size="11">${v >= 1 ? v : v.toPrecision(1)} ms</text>`);
    }
  }
  y += panelGap;
}
parts.push(`<text x="${left}" y="${y - 34}" font-size="11" fill="#555">box: p25–p75; whiskers: p10–p90; bar: median; dots: every sample.</text>`);
parts.push(
  `<text x="${left}" y="${y - 20}" font-size="11" fill="#555">kc: @kc/native spawn; bwrap --unshare-all also creates user and cgroup namespaces.</text>`,
);

const height = y - 10;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${parts.join('\n')}
</svg>
`;
writeFileSync(output, svg);
console.log(`chart: wrote ${join('bench', 'results', 'spawn-latency.svg')} (${panels.map((p) => p.rows.length).join(' + ')} rows)`);
