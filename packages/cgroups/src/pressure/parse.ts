import { KcErrorCode } from '@kc/native';
import { CgroupError } from '../errors.js';
import { readCgroupFileIfAny } from '../internal/fs.js';

/** One PSI line: the share of wall time tasks were stalled, as percentages, and the total stall in microseconds. */
export interface PressureLine {
  /** Percentage of wall time stalled (0..100), averaged over the last 10 s. */
  avg10: number;
  /** Percentage of wall time stalled (0..100), averaged over the last 60 s. */
  avg60: number;
  /** Percentage of wall time stalled (0..100), averaged over the last 300 s. */
  avg300: number;
  /** Cumulative stall time in microseconds since the cgroup was created (or boot, for `/proc/pressure/*`). */
  total: number;
}

/** A `*.pressure` file (Documentation/accounting/psi.rst): `some` always, `full` for memory, io and (5.13+) cpu. */
export interface Pressure {
  /** The `some` line: time at least one task was stalled on the resource; all zeros when the file has none (`irq.pressure`). */
  some: PressureLine;
  /** The `full` line: time all non-idle tasks were stalled at once; absent when the file has none (`irq` has only `full`, older kernels' `cpu` only `some`). */
  full?: PressureLine;
}

/** The resources with pressure files. */
export type PressureResource = 'cpu' | 'memory' | 'io' | 'irq';

/** Parses the text of a `*.pressure` file. */
export function parsePressure(text: string): Pressure {
  const lines: Partial<Record<'some' | 'full', PressureLine>> = {};
  for (const line of text.split('\n')) {
    const [kind, ...fields] = line.trim().split(/\s+/);
    if (kind !== 'some' && kind !== 'full') continue;
    const rec: Record<string, number> = {};
    for (const f of fields) {
      const [k, v] = f.split('=');
      if (k && v !== undefined) rec[k] = Number(v);
    }
    lines[kind] = {
      avg10: rec.avg10 ?? 0,
      avg60: rec.avg60 ?? 0,
      avg300: rec.avg300 ?? 0,
      total: rec.total ?? 0,
    };
  }
  const out: Pressure = {
    some: lines.some ?? { avg10: 0, avg60: 0, avg300: 0, total: 0 },
  };
  if (lines.full) out.full = lines.full;
  return out;
}

/**
 * Reads and parses one `*.pressure` file.
 * @throws {@link CgroupError} `UNSUPPORTED` when it is missing (PSI off: boot with `psi=1`).
 */
export function readPressureFile(file: string): Pressure {
  const text = readCgroupFileIfAny(file);
  if (text === undefined) {
    throw new CgroupError(`${file} is missing (PSI disabled? boot with psi=1)`, { code: KcErrorCode.Unsupported });
  }
  return parsePressure(text);
}
