import { performance } from 'node:perf_hooks';

/** Timing statistics of one benchmark case, in milliseconds. */
export interface CaseStats {
  case: string;
  tool: string;
  runs: number;
  median_ms: number;
  p10_ms: number;
  p90_ms: number;
  /** Every sample, for charts; not written to the JSON file. */
  samples?: number[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i] as number;
}

/** Summarises samples (ms) into a {@link CaseStats}. */
export function summarise(name: string, tool: string, samples: number[]): CaseStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    case: name,
    tool,
    runs: samples.length,
    median_ms: quantile(sorted, 0.5),
    p10_ms: quantile(sorted, 0.1),
    p90_ms: quantile(sorted, 0.9),
    samples,
  };
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed, and summarises. */
export async function measure(
  name: string,
  tool: string,
  fn: () => unknown | Promise<unknown>,
  { runs = 50, warmup = 5 }: { runs?: number; warmup?: number } = {},
): Promise<CaseStats> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarise(name, tool, samples);
}
