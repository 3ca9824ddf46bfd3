/**
 * The kc CLI as a newcomer and an engine meet it: help on every command (exit
 * 0, as podman's `checkpoint --help` probe needs), every documented flag
 * accepted by the real parser, bad input answered with runc's exit status and
 * one line (never a stack trace), the first failures explained, and a build
 * whose `state` never loads CRIU's protobuf code.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, type CommandName, type FlagHelp, GLOBAL_FLAGS } from '../src/cli/help.js';
import { KC, kc, kcDetached, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const names = Object.keys(COMMANDS) as CommandName[];
const root = tempDir('kc-cli-help-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** True when `r` failed the way runc does: status 1, one line on stderr, no stack frame. */
function oneLineFailure(r: { status: number | null; stdout: string; stderr: string }): void {
  expect(r.status, r.stderr).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^kc: /);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

/** Every flag of `flags` as argv, with a value where one is wanted. */
function allFlags(flags: readonly FlagHelp[]): string[] {
  return flags.flatMap((f) => (f.value ? [`--${f.name}`, 'x'] : [`--${f.name}`]));
}

describe.runIf(probe.root)('kc help (needs root)', () => {
  it('kc --help lists every command with its summary, the global flags and the per-command pointer', () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = kc(argv);
      expect(r.status, r.stderr).toBe(0);
      for (const name of names) expect(r.stdout).toMatch(new RegExp(`^ {3}${name} +\\S.*$`, 'm'));
      for (const f of GLOBAL_FLAGS) expect(r.stdout).toContain(`--${f.name}`);
      expect(r.stdout).toContain('kc <command> --help');
    }
  });

  it.each(names)('kc %s --help and -h exit 0 and print every flag', (name) => {
    const c = COMMANDS[name] as { flags: readonly FlagHelp[]; form?: { flags: readonly FlagHelp[] } };
    for (const argv of [
      [name, '--help'],
      [name, '-h'],
      ['help', name],
    ]) {
      const r = kc(argv);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`kc ${name}`);
      for (const f of [...c.flags, ...(c.form?.flags ?? [])]) expect(r.stdout).toContain(`--${f.name}`);
    }
  });

  // The help table and the parsers are separate code: give the real CLI every
  // documented flag, then --help. An undocumented-but-listed flag fails parsing.
  it.each(names.filter((n) => COMMANDS[n].flags.length > 0))('kc %s accepts every flag its help lists', (name) => {
    const r = kc(['--root', root, name, ...allFlags(COMMANDS[name].flags), '--help']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`kc ${name}`);
  });

  it('kc run --rootfs accepts every flag of its form', () => {
    const r = kc(['--root', root, 'run', ...allFlags(COMMANDS.run.form.flags), '--help']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe.runIf(probe.root)('kc bad input (needs root)', () => {
  it.each([
    [['--nope']],
    [['nope']],
    [['state', '--nope', 'x']],
    [['state']],
    [['checkpoint']],
    [['run', '--rootfs', '/nonexistent-kc-rootfs']],
    [['kill', uniqueId('absent'), 'NOSUCHSIGNAL']],
    [['help', 'nope']],
  ])('kc %j: exit 1, one line, no stack trace', (argv) => {
    oneLineFailure(kc(['--root', root, ...argv]));
  });

  it('an unknown flag points at the command help', () => {
    expect(kc(['--root', root, 'state', '--nope', 'x']).stderr).toBe('kc: flag provided but not defined: --nope (see "kc state --help")\n');
  });

  it('a bundle without config.json suggests kc spec', () => {
    const dir = tempDir('kc-empty-bundle-');
    try {
      const r = kc(['--root', root, 'create', '--bundle', dir, uniqueId('nocfg')]);
      oneLineFailure(r);
      expect(r.stderr).toContain(`kc spec --bundle ${dir}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('not root: a command that needs it says so and how', () => {
    // --rootless false: without it a non-root kc runs rootless (issue #14, see rootless.privileged.test.ts).
    const r = spawnSync(KC, ['--rootless', 'false', '--root', root, 'run', '--rootfs', '/', '--', 'true'], { encoding: 'utf8', uid: 65534, gid: 65534 });
    oneLineFailure({ status: r.status, stdout: r.stdout, stderr: r.stderr });
    expect(r.stderr).toMatch(/kc run needs root.*sudo kc run/);
  });

  it('not root, rootless (the default): a config without a user namespace is refused, naming the field and the fix', () => {
    const r = spawnSync(KC, ['--root', root, 'run', '--rootfs', '/', '--', 'true'], { encoding: 'utf8', uid: 65534, gid: 65534 });
    oneLineFailure({ status: r.status, stdout: r.stdout, stderr: r.stderr });
    expect(r.stderr).toMatch(/^kc: linux\.namespaces: a rootless container requires a user namespace.*run kc as root/);
  });
});

describe.runIf(probe.root && probe.busybox)('kc wrong states (needs root and busybox-static)', () => {
  it('start, pause and exec of a stopped container: exit 1 with one line', () => {
    const { bundle, cleanup } = makeBundle(['true']);
    const id = uniqueId('wrongstate');
    try {
      expect(kcDetached(['--root', root, 'create', '--bundle', bundle, id])).toBe(0);
      expect(kc(['--root', root, 'start', id]).status).toBe(0);
      // Wait on the state the CLI reports, not on time.
      for (let i = 0; i < 200 && JSON.parse(kc(['--root', root, 'state', id]).stdout).status !== 'stopped'; i++);
      expect(JSON.parse(kc(['--root', root, 'state', id]).stdout).status).toBe('stopped');
      for (const argv of [
        ['start', id],
        ['pause', id],
        ['exec', id, 'true'],
      ])
        oneLineFailure(kc(['--root', root, ...argv]));
    } finally {
      kc(['--root', root, 'delete', '--force', id]);
      cleanup();
    }
  });
});

// The ESM bundle (bin/kc with KC_ESM=1): `state` must not reach CRIU's
// protobuf code. esbuild names each bundled source in a `// path` comment, so
// the chunks `state` imports can be read for it; the checkpoint chunks must
// hold it (else the check could not fail).
const cliDir = fileURLToPath(new URL('../dist/cli/', import.meta.url));
describe.runIf(probe.root && existsSync(join(cliDir, 'kc.js')))('the built CLI (needs root and a build)', () => {
  const chunk = (file: string) => readFileSync(join(cliDir, file), 'utf8');
  /** The files a dynamic import of the chunk named `prefix-*.js` evaluates: it and its static imports, transitively. */
  function closure(prefix: string): string[] {
    const start = readdirSync(cliDir).find((f) => new RegExp(`^${prefix}-[A-Z0-9]+\\.js$`).test(f));
    if (!start) throw new Error(`no chunk ${prefix}-*.js in ${cliDir}`);
    const seen = new Set<string>();
    const todo = [start];
    while (todo.length > 0) {
      const f = todo.pop() as string;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const m of chunk(f).matchAll(/^(?:import|export)\s[^;]*?["']\.\/([^"']+\.js)["']/gm)) todo.push(m[1] as string);
    }
    return [...seen];
  }
  const hasProtobuf = (files: string[]) => files.some((f) => /^\/\/ .*@bufbuild\/protobuf/m.test(chunk(f)));

  it('kc state evaluates no CRIU protobuf code; kc checkpoint does', () => {
    expect(chunk('kc.js')).toMatch(/import\("\.\/lifecycle-commands-[A-Z0-9]+\.js"\)/);
    expect(hasProtobuf(closure('lifecycle-commands'))).toBe(false);
    expect(hasProtobuf([...closure('checkpoint-commands'), ...closure('checkpoint')])).toBe(true);
  });

  it('runs as ES modules (KC_ESM=1): help, and a bad id in one line', () => {
    const env = { ...process.env, KC_ESM: '1' };
    const help = spawnSync(KC, ['checkpoint', '--help'], { encoding: 'utf8', env });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--image-path value');
    const r = spawnSync(KC, ['--root', root, 'state', uniqueId('absent')], { encoding: 'utf8', env });
    oneLineFailure({ status: r.status, stdout: r.stdout, stderr: r.stderr });
  });

  it('runs with a V8 flag in NODE_OPTIONS, for which V8 rejects the code cache (the bundle is compiled instead)', () => {
    const env = { ...process.env, NODE_OPTIONS: '--max-old-space-size=200' };
    const r = spawnSync(KC, ['--version'], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^kc version /);
  });

  it('runs its CommonJS bundle from the code cache, and from a cache V8 rejects (another Node, or damaged) just as well', () => {
    // A copy of the launcher and the built bundles: the cache as built, then replaced by bytes V8 cannot use.
    const tree = tempDir('kc-launcher-');
    try {
      const pkg = join(cliDir, '../..');
      mkdirSync(join(tree, 'bin'));
      for (const f of ['kc', 'kc.mjs', 'entry.mjs', 'kc-cached.cjs']) copyFileSync(join(pkg, 'bin', f), join(tree, 'bin', f));
      mkdirSync(join(tree, 'dist/cli-cjs'), { recursive: true });
      for (const f of ['kc.cjs', 'kc.cache']) copyFileSync(join(pkg, 'dist/cli-cjs', f), join(tree, 'dist/cli-cjs', f));
      // Whether V8 took the cache, as bin/kc-cached.cjs reports it.
      const probe = (cache: string) => {
        if (cache === 'damaged') writeFileSync(join(tree, 'dist/cli-cjs/kc.cache'), Buffer.alloc(4096, 7));
        const { NODE_OPTIONS: _none, ...env } = process.env;
        return spawnSync(join(tree, 'bin/kc'), ['--version'], { encoding: 'utf8', env: { ...env, KC_DEBUG_CODE_CACHE: '1' } });
      };
      const built = probe('built');
      expect(built.stderr).toBe('kc: code cache used\n');
      expect(built.stdout).toMatch(/^kc version /);
      const damaged = probe('damaged');
      expect(damaged.stderr).toBe('kc: code cache rejected\n');
      expect(damaged.status).toBe(0);
      expect(damaged.stdout).toBe(built.stdout);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});
