import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blkioWeightToIoWeight, cpuSharesToWeight } from '@kc/cgroups';
import { describe, expect, it } from 'vitest';
import { probe } from './helpers.js';

// The runtimes' formulas, written out in C with glibc's log2/pow/ceil and
// integer arithmetic, so kc's TS is compared bit for bit against the C
// evaluation over the whole input range.
const C_ORACLE = `#include <math.h>
#include <stdio.h>
#include <stdint.h>
static uint64_t shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  double l = log2((double)shares);
  double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return (uint64_t)ceil(pow(10, exponent));
}
static uint64_t blkio_to_io(uint64_t w) { return w == 0 ? 0 : 1 + (w - 10) * 9999 / 990; }
int main(void) {
  for (uint64_t s = 0; s <= 262200; s++) printf("%llu\\n", (unsigned long long)shares_to_weight(s));
  for (uint64_t w = 10; w <= 1000; w++) printf("%llu\\n", (unsigned long long)blkio_to_io(w));
  return 0;
}
`;

describe.runIf(probe.cc)('conversions against the C formula (a C compiler is installed)', () => {
  it('cpu shares → weight and blkio → io weight equal the C evaluation for every input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-conv-'));
    try {
      writeFileSync(join(dir, 'o.c'), C_ORACLE);
      execFileSync('cc', ['-O2', '-o', join(dir, 'o'), join(dir, 'o.c'), '-lm']);
      const lines = execFileSync(join(dir, 'o'), {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      })
        .trim()
        .split('\n')
        .map(Number);
      const mismatches: string[] = [];
      for (let s = 0; s <= 262200; s++) if (cpuSharesToWeight(s) !== lines[s]) mismatches.push(`shares ${s}: kc ${cpuSharesToWeight(s)} C ${lines[s]}`);
      for (let w = 10; w <= 1000; w++) {
        const c = lines[262201 + w - 10];
        if (blkioWeightToIoWeight(w) !== c) mismatches.push(`blkio ${w}: kc ${blkioWeightToIoWeight(w)} C ${c}`);
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
