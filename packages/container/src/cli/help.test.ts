import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HelpRequested, parseArgs, UsageError } from './args.js';
import { explain, MIN_NODE, needsRoot, nodeTooOld } from './diagnose.js';
import { COMMANDS, type CommandName, commandHelp, GLOBAL_FLAGS, generalHelp, isCommand } from './help.js';

const names = Object.keys(COMMANDS) as CommandName[];

describe('kc --help', () => {
  it('lists every command with its one-line summary, the global flags, and where to read more', () => {
    const text = generalHelp();
    for (const name of names) expect(text).toMatch(new RegExp(`^ {3}${name} +${escapeRegExp(COMMANDS[name].summary)}$`, 'm'));
    for (const f of GLOBAL_FLAGS) expect(text).toContain(`--${f.name}`);
    expect(text).toContain('--systemd-cgroup');
    expect(text).toContain('kc <command> --help');
  });
});

describe('kc <command> --help', () => {
  it.each(names)('%s: usage and every flag with its alias and value', (name) => {
    const text = commandHelp(name);
    expect(text).toContain(`kc ${name} `);
    const c = COMMANDS[name] as (typeof COMMANDS)[CommandName] & { form?: { flags: readonly { name: string }[] } };
    for (const f of [...c.flags, ...(c.form?.flags ?? [])] as { name: string; short?: string; value?: boolean }[]) {
      const v = f.value ? ' value' : '';
      expect(text).toContain(f.short ? `--${f.name}${v}, -${f.short}${v}` : `--${f.name}${v}`);
    }
  });
  it('shows both forms of run', () => {
    expect(commandHelp('run')).toContain('kc run --rootfs DIR');
    expect(commandHelp('run')).toContain('--bundle value, -b value');
  });
  it('knows commands and nothing else', () => {
    expect(isCommand('checkpoint')).toBe(true);
    expect(isCommand('toString')).toBe(false);
    expect(isCommand('nope')).toBe(false);
  });
});

describe('parseArgs and --help', () => {
  const specs = [{ name: 'bundle', short: 'b', value: true }];
  it('asks for help at --help or -h where a flag may stand', () => {
    expect(() => parseArgs(['--help'], specs)).toThrow(HelpRequested);
    expect(() => parseArgs(['id', '-h'], specs)).toThrow(HelpRequested);
  });
  it('leaves --help to the container command after -- or after the positionals', () => {
    expect(parseArgs(['--', 'ls', '--help'], specs).rest).toEqual(['ls', '--help']);
    expect(parseArgs(['id', 'ls', '-h'], specs, 1).rest).toEqual(['ls', '-h']);
  });
  it('takes --help as the value of a flag that wants one', () => {
    expect(parseArgs(['-b', '--help'], specs).flags.get('bundle')).toEqual(['--help']);
  });
  it('still refuses other unknown flags', () => {
    expect(() => parseArgs(['--helpme'], specs)).toThrow(UsageError);
  });
});

describe('first failures', () => {
  it('MIN_NODE is the engines field of package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MIN_NODE.replace(/\.0$/, '')}`);
  });
  it('says when Node is too old, and only then', () => {
    expect(nodeTooOld('18.19.0')).toMatch(/needs Node\.js >= 20\.17\.0, this is 18\.19\.0/);
    expect(nodeTooOld('20.16.9')).toBeDefined();
    expect(nodeTooOld('20.17.0')).toBeUndefined();
    expect(nodeTooOld('22.1.0')).toBeUndefined();
  });
  it('asks for root only for commands that change kernel state', () => {
    expect(needsRoot('run', 1000)).toMatch(/kc run needs root.*sudo kc run/);
    expect(needsRoot('run', 0)).toBeUndefined();
    expect(needsRoot('spec', 1000)).toBeUndefined();
    expect(needsRoot('state', 1000)).toBeUndefined();
  });
  const err = (message: string, fields: object) => Object.assign(new Error(message), fields);
  it('names the kernel a missing system call needs', () => {
    expect(explain(err('clone3 failed', { code: 'ENOSYS', syscall: 'clone3' }), 'run', 0)).toMatch(/lacks clone3: kc needs Linux >= 5\.7/);
    expect(explain(err('x', { code: 'ENOSYS' }), 'run', 0)).toMatch(/kc needs Linux >= 5\.8/);
  });
  it('suggests kc spec for a bundle without config.json', () => {
    const e = err('no config.json in bundle /b', { code: 'NOT_FOUND', path: '/b/config.json' });
    expect(explain(e, 'create', 0)).toBe('no config.json in bundle /b: write a default one with "kc spec --bundle /b", then set root.path and process.args');
  });
  it('says how to install CRIU when checkpoint cannot find it', () => {
    const e = err('criu was not found on $PATH nor in /usr/local/sbin', { code: 'NOT_FOUND', hint: 'install CRIU' });
    expect(explain(e, 'checkpoint', 0)).toMatch(/^kc checkpoint needs CRIU >= 4\.0.*install-criu\.sh/);
  });
  it('says how to mount a cgroup filesystem when there is none', () => {
    const e = err('no cgroup filesystem is mounted', { code: 'UNSUPPORTED', hint: 'mount cgroup2 at /sys/fs/cgroup' });
    expect(explain(e, 'run', 0)).toMatch(/^no cgroup filesystem is mounted: .*mount -t cgroup2 none \/sys\/fs\/cgroup/);
  });
  it('points a permission error at root when not root', () => {
    expect(explain(err("EACCES: permission denied, mkdir '/run/kc'", { code: 'EACCES' }), 'state', 1000)).toMatch(/needs root/);
    expect(explain(err('EPERM: operation not permitted', { code: 'EPERM' }), 'run', 0)).not.toMatch(/needs root/);
  });
  it('otherwise prints the message and hint on one line', () => {
    expect(explain(err('bad\n    at stack', { hint: 'do this' }), 'run', 0)).toBe('bad (do this)');
    expect(explain('plain', 'run', 0)).toBe('plain');
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
