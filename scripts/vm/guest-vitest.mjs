// Runs inside the VM guest (started by scripts/vm/test.sh): vitest over test
// bundles that scripts/vm/bundle-tests.mjs made on the host.
//
//   node scripts/vm/guest-vitest.mjs --root REPO --manifest FILE --report FILE [--copies FILE] [--pool forks|threads]
//
// The manifest has one "<source>\t<bundle>" line per test file. Each bundle
// is copied next to its source as <name>.vm.mjs (the guest's root is a tmpfs
// overlay, so the host's tree is untouched), where bare imports resolve as
// they would for the source. Vitest is started through its Node API with no
// config file (nothing to bundle or transform at startup), Node's native
// import instead of Vite's module runner, one worker at a time, each file
// isolated in its own worker (one Node start per file: README, "Fastest way
// to run vitest in the guest", measured the cost) and no file parallelism.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { startVitest } from 'vitest/node';
import RunReporter from '../vitest-run-reporter.mjs';

const args = process.argv.slice(2);
const opt = { pool: 'forks' };
for (let i = 0; i < args.length; i += 2) opt[args[i].replace(/^--/, '')] = args[i + 1];
if (!opt.root || !opt.manifest || !opt.report) {
  console.error('usage: guest-vitest.mjs --root REPO --manifest FILE --report FILE [--pool forks|threads]');
  process.exit(2);
}
const root = resolve(opt.root);

const include = [];
const copies = [];
let needsRunner = process.env.KC_VM_VITE_RUNNER === '1';
for (const line of readFileSync(opt.manifest, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [source, bundle, flags] = line.split('\t');
  if (flags === 'mocks') needsRunner = true;
  // Beside the source; a source outside the repo goes under the repo instead,
  // so that 'vitest' and the workspace's packages still resolve.
  const dir = relative(root, source).startsWith('..') ? resolve(root, '.kc-vm-outside', `.${dirname(source)}`) : dirname(source);
  mkdirSync(dir, { recursive: true });
  const beside = resolve(
    dir,
    `${source
      .split('/')
      .pop()
      .replace(/\.[cm]?[jt]sx?$/, '')}.vm.mjs`,
  );
  copyFileSync(bundle, beside);
  include.push(relative(root, beside));
  copies.push(`${beside}\t${source}\n`);
}
// For the host: which copy stands for which source, to rename the report.
if (opt.copies) writeFileSync(opt.copies, copies.join(''));

const vitest = await startVitest(
  'test',
  [],
  {
    config: false,
    root,
    include,
    watch: false,
    pool: opt.pool,
    // Each file in a fresh worker, as on the host: a file's module state (fast-check's global seed,
    // a probe's cached result, a mock) must not leak into the next. Costs one Node start per file.
    isolate: true,
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: Number(process.env.KC_VM_TEST_TIMEOUT ?? 60_000),
    hookTimeout: Number(process.env.KC_VM_TEST_TIMEOUT ?? 60_000),
    // The bundles are plain JavaScript: Node imports them natively, with no
    // Vite transform in the guest. vi.mock() needs Vite's module runner (on
    // Node 20 the native path cannot mock: no module.registerHooks), so a
    // run with a mocking bundle uses it (KC_VM_VITE_RUNNER=1 forces it).
    // Source maps: Node's own, from the bundles' inline maps.
    experimental: {
      viteModuleRunner: needsRunner,
      nodeLoader: false,
    },
    execArgv: ['--enable-source-maps'],
    // The run record (unhandled errors, file-level errors) beside the JSON report: scripts/test-totals.mjs reads both.
    reporters: ['default', 'json', new RunReporter()],
    outputFile: { json: opt.report },
  },
  {},
);
await vitest?.close();
process.exit(process.exitCode ?? (vitest ? 0 : 1));
