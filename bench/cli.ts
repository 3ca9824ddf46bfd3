/**
 * The cost of one `kc` CLI call (DESIGN.md "Performance targets"): `kc state`,
 * `kc run` of busybox /bin/true, and `kc create` + `start` + `delete`, each
 * beside the same calls to `runc` and beside `node -e 0` (Node's own start,
 * the floor for any CLI written for Node), in one run. The tools take turns
 * within each round, so a machine busy with other work slows them alike;
 * medians of wall time. `kc` is bin/kc as shipped: `state` from its own
 * small bundle, every other command from the whole CLI's CommonJS bundle,
 * each compiled from its V8 code cache. `kc (ESM)` is bin/kc with KC_ESM=1:
 * the ES-module bundle for every command, to show what the code cache buys.
 *
 * Targets: `kc state` ≤ 1.3× and `kc run` ≤ 1.6× `node -e 0`.
 *
 * Run: pnpm exec tsx bench/cli.ts [--runs N] (as root; needs a built
 * @kc/container, runc and busybox-static).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBusyboxRootfs, defaultConfig } from '@kc/container';
import { type CaseStats, summarise } from './lib/measure.js';
import { report } from './lib/report.js';

const runsFlag = process.argv.indexOf('--runs');
const runs = Number(runsFlag >= 0 ? process.argv[runsFlag + 1] : (process.env.RUNS ?? 20));
const warmup = 3;
const KC = resolve(fileURLToPath(new URL('../packages/container/bin/kc', import.meta.url)));

const dir = mkdtempSync(join(tmpdir(), 'kc-bench-cli-'));
const bundle = join(dir, 'bundle');
buildBusyboxRootfs(join(bundle, 'rootfs'));
writeFileSync(join(bundle, 'config.json'), JSON.stringify(defaultConfig({ args: ['/bin/true'] })));

// stderr goes to a file, not a pipe: a created container holds the stdio it
// was given, and spawnSync would wait for a pipe to close.
const errLog = join(dir, 'stderr.log');
const errFd = openSync(errLog, 'a');

/** Runs one command to completion; throws unless it exits 0. */
function call(cmd: string, args: string[], env?: NodeJS.ProcessEnv): void {
  const r = spawnSync(cmd, args, { cwd: bundle, stdio: ['ignore', 'ignore', errFd], env: env ?? process.env });
  if (r.status !== 0) {
    const tail = readFileSync(errLog, 'utf8').trim().split('\n').slice(-3).join(' / ');
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}: ${tail}`);
  }
}

/** A runtime CLI as the cases drive it: kc (with or without its snapshot) or runc, each with its own state root. */
interface Runtime {
  tool: string;
  cmd: string;
  root: string;
  env?: NodeJS.ProcessEnv;
}
const runtimes: Runtime[] = [
  { tool: 'kc', cmd: KC, root: join(dir, 'kc') },
  { tool: 'kc (ESM)', cmd: KC, root: join(dir, 'kc-esm'), env: { ...process.env, KC_ESM: '1' } },
  { tool: 'runc', cmd: 'runc', root: join(dir, 'runc') },
];
const rt = (r: Runtime, args: string[]) => call(r.cmd, ['--root', r.root, ...args], r.env);

let n = 0;
const nextId = () => `kc-bench-cli-${process.pid}-${n++}`;

/** One case: a thunk per tool, run in turns for `warmup + runs` rounds; the timed rounds are summarised. */
function measureCase(name: string, tools: { tool: string; once: () => void }[]): CaseStats[] {
  const samples = new Map<string, number[]>(tools.map((t) => [t.tool, []]));
  for (let round = 0; round < warmup + runs; round++) {
    // Rotate the order each round so no tool always runs right after another.
    const order = tools.map((_, i) => tools[(i + round) % tools.length] as (typeof tools)[number]);
    for (const t of order) {
      const t0 = performance.now();
      t.once();
      const ms = performance.now() - t0;
      if (round >= warmup) samples.get(t.tool)?.push(ms);
    }
  }
  return tools.map((t) => summarise(name, t.tool, samples.get(t.tool) ?? []));
}

const node = { tool: 'node -e 0', once: () => call(process.execPath, ['-e', '0']) };
const cases: CaseStats[] = [];
const held: { r: Runtime; id: string }[] = [];
try {
  // `state` of a created container (the process held before exec), as engines poll it.
  const stateIds = runtimes.map((r) => {
    const id = nextId();
    rt(r, ['create', '--bundle', bundle, id]);
    held.push({ r, id });
    return id;
  });
  cases.push(...measureCase('cli: state', [...runtimes.map((r, i) => ({ tool: r.tool, once: () => rt(r, ['state', stateIds[i] as string]) })), node]));
  cases.push(
    ...measureCase('cli: run /bin/true', [...runtimes.map((r) => ({ tool: r.tool, once: () => rt(r, ['run', '--bundle', bundle, nextId()]) })), node]),
  );
  cases.push(
    ...measureCase('cli: create+start+delete', [
      ...runtimes.map((r) => ({
        tool: r.tool,
        once: () => {
          const id = nextId();
          rt(r, ['create', '--bundle', bundle, id]);
          rt(r, ['start', id]);
          rt(r, ['delete', '--force', id]);
        },
      })),
      {
        tool: 'node -e 0 ×3',
        once: () => {
          for (let i = 0; i < 3; i++) node.once();
        },
      },
    ]),
  );
} finally {
  for (const { r, id } of held) spawnSync(r.cmd, ['--root', r.root, 'delete', '--force', id], { stdio: 'ignore', env: r.env });
  closeSync(errFd);
  rmSync(dir, { recursive: true, force: true });
}

report('cli', cases);

// The targets are ratios to Node's own start, so print those too.
console.log('\ncase | tool | median ms | × node -e 0');
console.log('---|---|---|---');
for (const c of cases) {
  const base = cases.find((b) => b.case === c.case && b.tool.startsWith('node -e 0'));
  if (!base || c === base) continue;
  console.log(`${c.case} | ${c.tool} | ${c.median_ms.toFixed(1)} | ${(c.median_ms / base.median_ms).toFixed(2)}`);
}
console.log('targets: kc state ≤ 1.3×, kc run ≤ 1.6× node -e 0');
// `node -e 0` parses the CA bundle this names before running anything (tens of milliseconds on a 2-core
// machine); bin/kc starts Node without it (kc opens no TLS connection). So with it set, each ratio above
// compares kc to a slower baseline. Say so, so that ratios from two environments are not compared as one.
if (process.env.NODE_EXTRA_CA_CERTS) {
  console.log(
    `note: NODE_EXTRA_CA_CERTS is set (${process.env.NODE_EXTRA_CA_CERTS}): node -e 0 above loaded those certificates at each start, kc did not; ` +
      'run with `env -u NODE_EXTRA_CA_CERTS` for the ratios to a bare Node start',
  );
}
