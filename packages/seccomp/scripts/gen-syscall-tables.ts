/**
 * Generates `src/tables/<arch>.ts` (syscall name → number) from the kernel's
 * own UAPI headers in one Debian `linux-libc-dev` package. Since Linux 6.x
 * Debian builds that package as `Architecture: all`, with the `asm/` headers
 * of every architecture under `/usr/include/<multiarch triplet>/`, so one
 * downloaded `.deb` pins all six tables to one kernel release:
 *   x86_64, i386, x32  usr/include/x86_64-linux-gnu/asm/unistd_{64,32,x32}.h
 *   aarch64            usr/include/aarch64-linux-gnu/asm/unistd.h
 *   arm (EABI)         usr/include/arm-linux-gnueabihf/asm/unistd.h
 *   riscv64            usr/include/riscv64-linux-gnu/asm/unistd.h
 * The C preprocessor evaluates the headers (asm-generic/unistd.h is a macro
 * maze of __ARCH_WANT_* and __NR3264_*), so the numbers are exactly what a C
 * program for that arch would see. The package is only read (extracted to a
 * temporary directory), never installed.
 *
 * Reproduce the committed tables (the header of each table names the version
 * and the .deb's SHA-256):
 *   apt-get download linux-libc-dev=7.3.4-1~bpo13+1   # Debian trixie-backports
 *   pnpm exec tsx packages/seccomp/scripts/gen-syscall-tables.ts linux-libc-dev_7.3.4-1~bpo13+1_all.deb
 * (add trixie-backports to a temporary sources list with
 * `-o Dir::Etc::sourcelist=` rather than to the machine's apt sources).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Source {
  arch: string;
  constName: string;
  /** The arch's multiarch include directory inside the package, relative to usr/include. */
  triplet: string;
  header: string;
  defines: string[];
}

const SOURCES: Source[] = [
  {
    arch: 'x86_64',
    constName: 'X86_64',
    triplet: 'x86_64-linux-gnu',
    header: 'asm/unistd_64.h',
    defines: [],
  },
  {
    arch: 'i386',
    constName: 'I386',
    triplet: 'x86_64-linux-gnu',
    header: 'asm/unistd_32.h',
    defines: [],
  },
  {
    arch: 'x32',
    constName: 'X32',
    triplet: 'x86_64-linux-gnu',
    header: 'asm/unistd_x32.h',
    defines: ['-D__X32_SYSCALL_BIT=0x40000000'],
  },
  {
    arch: 'aarch64',
    constName: 'AARCH64',
    triplet: 'aarch64-linux-gnu',
    header: 'asm/unistd.h',
    defines: ['-U__x86_64__', '-D__aarch64__'],
  },
  {
    arch: 'arm',
    constName: 'ARM',
    triplet: 'arm-linux-gnueabihf',
    header: 'asm/unistd.h',
    defines: ['-U__x86_64__', '-U__LP64__', '-D__arm__', '-D__ARM_EABI__'],
  },
  {
    arch: 'riscv64',
    constName: 'RISCV64',
    triplet: 'riscv64-linux-gnu',
    header: 'asm/unistd.h',
    defines: ['-U__x86_64__', '-D__riscv', '-D__riscv_xlen=64'],
  },
];

/** Names that are macros of the numbering scheme, not system calls. */
const NOT_SYSCALLS = new Set(['syscalls', 'arch_specific_syscall', 'SYSCALL_BASE', 'OABI_SYSCALL_BASE', 'SYSCALL_MASK', 'BASE']);

function preprocess(include: string, src: Source, code: string, dumpMacros: boolean): string {
  // -nostdinc: only the package's headers, never the machine's own /usr/include.
  const args = ['-E', '-P', '-nostdinc', '-I', join(include, src.triplet), '-I', include, ...src.defines, '-x', 'c', '-'];
  if (dumpMacros) args.splice(1, 0, '-dM');
  return execFileSync('gcc', args, { input: code, encoding: 'utf8' });
}

/** Evaluates the integer expressions the headers use: numbers, + and parentheses. */
function evaluate(expr: string): number {
  const cleaned = expr.replace(/\s+/g, '');
  if (!/^[0-9a-fA-Fx+()]+$/.test(cleaned)) throw new Error(`unexpected expression: ${expr}`);
  return cleaned
    .replace(/[()]/g, '')
    .split('+')
    .reduce((sum, term) => sum + Number(term), 0);
}

function table(include: string, src: Source): Map<string, number> {
  const macros = preprocess(include, src, `#include <${src.header}>\n`, true);
  const names: { name: string; macro: string }[] = [];
  for (const line of macros.split('\n')) {
    const m = /^#define (__NR_|__ARM_NR_)(\w+)\s/.exec(line);
    if (!m || NOT_SYSCALLS.has(m[2] as string)) continue;
    names.push({ name: m[2] as string, macro: `${m[1]}${m[2]}` });
  }
  // Second pass: expand each macro to its arithmetic, one per line.
  const expanded = preprocess(include, src, `#include <${src.header}>\n${names.map((n) => `KC_NR ${n.macro}`).join('\n')}\n`, false);
  const values = expanded.split('\n').filter((l) => l.startsWith('KC_NR '));
  if (values.length !== names.length) throw new Error(`${src.arch}: ${names.length} names but ${values.length} values`);
  const out = new Map<string, number>();
  names.forEach((n, i) => out.set(n.name, evaluate((values[i] as string).slice(6))));
  return out;
}

const debArg = process.argv[2];
if (!debArg) {
  console.error('usage: gen-syscall-tables.ts <linux-libc-dev_VERSION_all.deb>');
  process.exit(2);
}
const deb = debArg;
const field = (name: string) => execFileSync('dpkg-deb', ['-f', deb, name], { encoding: 'utf8' }).trim();
if (field('Package') !== 'linux-libc-dev') throw new Error(`${deb} is not a linux-libc-dev package`);
const version = field('Version');
const sha256 = createHash('sha256').update(readFileSync(deb)).digest('hex');
const work = mkdtempSync(join(tmpdir(), 'kc-syscall-tables-'));
try {
  execFileSync('dpkg-deb', ['-x', deb, work]);
  const include = join(work, 'usr', 'include');
  const v = readFileSync(join(include, 'linux', 'version.h'), 'utf8');
  const num = (k: string) => {
    const m = new RegExp(`#define LINUX_VERSION_${k} (\\d+)`).exec(v);
    if (!m) throw new Error(`linux/version.h has no LINUX_VERSION_${k}`);
    return m[1] as string;
  };
  const kernel = `${num('MAJOR')}.${num('PATCHLEVEL')}.${num('SUBLEVEL')}`;
  const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'tables');
  for (const src of SOURCES) {
    const t = [...table(include, src)].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
    const body = t.map(([name, nr]) => `  ${name}: ${nr},`).join('\n');
    const file = `// GENERATED by packages/seccomp/scripts/gen-syscall-tables.ts from usr/include/${src.triplet}/${src.header}
// of Debian linux-libc-dev ${version} (Linux ${kernel} UAPI headers), ${basename(deb)}
// sha256 ${sha256}. Do not edit.

/** System call numbers of ${src.arch}, by name (${t.length} calls), as of Linux ${kernel}. */
export const ${src.constName}_SYSCALLS: Readonly<Record<string, number>> = {
${body}
};
`;
    writeFileSync(join(outDir, `${src.arch}.ts`), file);
    console.log(`${src.arch}: ${t.length} syscalls (Linux ${kernel})`);
  }
  writeFileSync(
    join(outDir, 'kernel.ts'),
    `// GENERATED by packages/seccomp/scripts/gen-syscall-tables.ts from Debian linux-libc-dev ${version},
// ${basename(deb)} sha256 ${sha256}. Do not edit.

/** The Linux release whose UAPI headers kc's syscall tables were generated from (Debian linux-libc-dev ${version}). */
export const SYSCALL_TABLES_KERNEL = '${kernel}';
`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
