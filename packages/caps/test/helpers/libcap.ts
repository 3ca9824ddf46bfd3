/**
 * A small C program linked with libcap, built into a temporary directory:
 * the reference the differential tests compare kc with. For each input line
 * it prints `ERR`, or the three masks libcap parsed and its cap_to_text.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCE = String.raw`
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>

static unsigned long long mask(cap_t c, cap_flag_t f) {
  unsigned long long m = 0;
  for (int n = 0; n < 64; n++) {
    cap_flag_value_t v = CAP_CLEAR;
    if (cap_get_flag(c, n, f, &v) == 0 && v == CAP_SET) m |= 1ULL << n;
  }
  return m;
}

int main(void) {
  char line[8192];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    cap_t c = cap_from_text(line);
    if (!c) { puts("ERR"); continue; }
    char *t = cap_to_text(c, NULL);
    printf("%llx %llx %llx\t%s\n", mask(c, CAP_EFFECTIVE), mask(c, CAP_PERMITTED), mask(c, CAP_INHERITABLE), t);
    cap_free(t);
    cap_free(c);
  }
  return 0;
}
`;

/** A built libcap reference; `close()` removes its directory. */
export interface LibcapReference {
  /** libcap's answer per text: null for a parse error. */
  run(texts: string[]): ({ effective: bigint; permitted: bigint; inheritable: bigint; text: string } | null)[];
  close(): void;
}

/** Compiles the helper with `gcc -lcap` (libcap-dev). */
export function buildLibcapReference(): LibcapReference {
  const dir = mkdtempSync(join(tmpdir(), `kc-test-${process.pid}-libcap-`));
  writeFileSync(join(dir, 'ref.c'), SOURCE);
  const bin = join(dir, 'ref');
  execFileSync('gcc', ['-O1', '-o', bin, join(dir, 'ref.c'), '-lcap']);
  return {
    run(texts) {
      const out = execFileSync(bin, { input: `${texts.join('\n')}\n` })
        .toString()
        .split('\n');
      return texts.map((_, i) => {
        const line = out[i] as string;
        if (line === 'ERR') return null;
        const [masks, text] = line.split('\t') as [string, string];
        const [e, p, inh] = masks.split(' ').map((h) => BigInt(`0x${h}`)) as [bigint, bigint, bigint];
        return { effective: e, permitted: p, inheritable: inh, text };
      });
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
