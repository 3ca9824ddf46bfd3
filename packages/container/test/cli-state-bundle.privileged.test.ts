/**
 * `kc state` runs from a bundle of its own (dist/cli-state, loaded by
 * bin/kc-cached.cjs with its code cache) instead of the whole CLI. Whatever
 * the route, the answer must be the whole CLI's: the same JSON in every
 * status, the same errors and exit codes, the same help, with the global
 * flags in any of their forms before the command. The oracle is the whole CLI
 * itself (`KC_ESM=1`, which bin/kc never routes to the state bundle).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KC, kcDetached, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const root = tempDir('kc-state-bundle-');
const bundle = probe.root && probe.busybox ? makeBundle(['sleep', '1000']) : undefined;
const id = uniqueId('stb');
afterAll(() => {
  spawnSync(KC, ['--root', root, 'delete', '--force', id], { stdio: 'ignore' });
  bundle?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

/** `kc ARGS` through bin/kc's state route, and through the whole CLI. */
function both(args: string[]) {
  const run = (env: NodeJS.ProcessEnv) => {
    const r = spawnSync(KC, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { routed: run({}), whole: run({ KC_ESM: '1' }) };
}

describe.runIf(probe.root && probe.busybox)('kc state from its own bundle answers as the whole CLI (needs root, busybox-static)', () => {
  it('is built, with its code cache', () => {
    const dist = join(KC, '..', '..', 'dist', 'cli-state');
    expect(existsSync(join(dist, 'kc-state.cjs'))).toBe(true);
    expect(existsSync(join(dist, 'kc-state.cache'))).toBe(true);
  });

  it('prints the same state in every status, with the global flags in each form', () => {
    expect(kcDetached(['--root', root, 'create', '--bundle', bundle?.bundle as string, id])).toBe(0);
    const forms = [
      ['--root', root, 'state', id],
      [`--root=${root}`, '--log-format', 'json', 'state', id],
      ['-root', root, '--debug', '--log', join(root, 'log'), 'state', id],
    ];
    const seen: string[] = [];
    const check = (status: string) => {
      for (const args of forms) {
        const { routed, whole } = both(args);
        expect(routed, args.join(' ')).toEqual(whole);
        expect(routed.status).toBe(0);
        expect(JSON.parse(routed.stdout).status, args.join(' ')).toBe(status);
      }
      seen.push(status);
    };
    check('created');
    expect(spawnSync(KC, ['--root', root, 'start', id]).status).toBe(0);
    check('running');
    expect(spawnSync(KC, ['--root', root, 'pause', id]).status).toBe(0);
    check('paused');
    expect(spawnSync(KC, ['--root', root, 'resume', id]).status).toBe(0);
    expect(spawnSync(KC, ['--root', root, 'kill', id, 'KILL']).status).toBe(0);
    const deadline = Date.now() + 10_000;
    while (JSON.parse(both(['--root', root, 'state', id]).routed.stdout).status !== 'stopped' && Date.now() < deadline);
    check('stopped');
    expect(seen).toEqual(['created', 'running', 'paused', 'stopped']);
  });

  it('fails as the whole CLI does: unknown id, missing id, unknown flag; and prints the same help', () => {
    for (const args of [
      ['--root', root, 'state', 'kc-no-such-container'],
      ['--root', root, 'state'],
      ['--root', root, 'state', '--bogus', id],
      ['state', '--help'],
      ['--root', root, 'state', '-h'],
    ]) {
      const { routed, whole } = both(args);
      expect(routed, args.join(' ')).toEqual(whole);
    }
    expect(both(['--root', root, 'state', 'kc-no-such-container']).routed).toMatchObject({ status: 1, stdout: '' });
  });

  it('bin/kc sends `state` after any global flags to the state bundle, and every other command to the whole CLI', () => {
    // bin/kc itself in a stand-in package whose two entry points only say which one ran.
    const fake = tempDir('kc-route-');
    try {
      mkdirSync(join(fake, 'bin'));
      mkdirSync(join(fake, 'dist', 'cli-state'), { recursive: true });
      mkdirSync(join(fake, 'dist', 'cli-cjs'), { recursive: true });
      copyFileSync(KC, join(fake, 'bin', 'kc'));
      writeFileSync(join(fake, 'dist', 'cli-state', 'kc-state.cjs'), '');
      writeFileSync(join(fake, 'dist', 'cli-cjs', 'kc.cjs'), '');
      // bin/kc-cached.cjs gets the bundle's name first: the state bundle, or the whole CLI's.
      const says = (bundle: string, what: string) => `if (process.argv[2] === '${bundle}') console.log('${what}', process.argv.slice(3).join(' '));`;
      writeFileSync(join(fake, 'bin', 'kc-cached.cjs'), [says('cli-state/kc-state', 'state bundle'), says('cli-cjs/kc', 'whole cli')].join('\n'));
      writeFileSync(join(fake, 'bin', 'kc.mjs'), "console.log('whole cli as ES modules', process.argv.slice(2).join(' '));");
      const route = (...args: string[]) => spawnSync('sh', [join(fake, 'bin', 'kc'), ...args], { encoding: 'utf8' }).stdout.trim();
      expect(route('state', 'x')).toBe('state bundle state x');
      expect(route('--root', '/r', '--log', 'state', '--log-format', 'json', '--debug', 'state', 'x')).toBe(
        'state bundle --root /r --log state --log-format json --debug state x',
      );
      expect(route('--root=/r', '-rootless', 'false', 'state', 'x')).toBe('state bundle --root=/r -rootless false state x');
      // A flag's value that reads "state" is not the command; other commands, and no command, go to the whole CLI.
      expect(route('--root', 'state', 'list')).toBe('whole cli --root state list');
      expect(route('list', 'state')).toBe('whole cli list state');
      expect(route('--version')).toBe('whole cli --version');
      // Unbuilt (no CommonJS bundle), or with KC_ESM=1: the ES-module bundle.
      rmSync(join(fake, 'dist', 'cli-cjs'), { recursive: true });
      expect(route('list')).toBe('whole cli as ES modules list');
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });
});
