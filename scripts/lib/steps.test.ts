// The step runner (scripts/lib/steps.sh) is what a newcomer watches during the
// first minutes of the demo and the test command: these tests run it on fake
// steps, as bash runs setup.sh, and read its output the way a person or a CI
// log would (stdout a pipe, so the plain form: no carriage returns).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const stepsSh = fileURLToPath(new URL('./steps.sh', import.meta.url));

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kc-steps-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  /** Resolves when stdout has a line matching `re` (rejects if the script ends first). */
  lineMatching(re: RegExp): Promise<string>;
  /** Exit code (or 128 + signal number) and everything printed. */
  done: Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Runs `body` after `set -euo pipefail` and sourcing steps.sh, the way setup.sh does. */
function runSteps(name: string, body: string, env: Record<string, string> = {}): Run {
  const script = join(dir, `${name}.sh`);
  writeFileSync(script, `set -euo pipefail\n. ${JSON.stringify(stepsSh)}\n${body}\n`);
  const child = spawn('bash', [script], {
    cwd: dir,
    env: { ...process.env, KC_PROGRESS: '', KC_PROGRESS_EVERY_S: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const line = stdout.split('\n').find((l) => w.re.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code: code ?? 128 + (signal === 'SIGTERM' ? 15 : 9), stdout, stderr });
    });
  });
  return {
    child,
    done,
    lineMatching: (re) =>
      new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        check();
        void done.then(() => reject(new Error(`script ended without a line matching ${re}:\n${stdout}\n${stderr}`)));
      }),
  };
}

/** Waits until `cond()` holds; fails the test if it does not within `ms`. */
async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('scripts/lib/steps.sh, stdout not a terminal', () => {
  it('prints one line per step with its time, notes, progress of a slow step, and the failing step with its log', async () => {
    const log = join(dir, 'plain.log');
    const release = join(dir, 'release');
    const run = runSteps(
      'plain',
      `
fast() { echo "fast step's verbose output"; }
already() { step_note "fake 1.0 already installed"; }
# The slow step lasts until the test has seen a progress line (it waits on that, not on a clock).
slow() { step_doing "building the fake thing"; while [ ! -e ${JSON.stringify(release)} ]; do sleep 0.05; done; echo slow done; }
failing() { for i in $(seq 1 30); do echo "failing step line $i"; done; false; echo "after false: errexit did not stop the step"; }
after() { touch ${JSON.stringify(join(dir, 'after-ran'))}; }
steps_begin t ${JSON.stringify(log)}
step fast fast
step already already
step slow slow
step failing failing
step after after
steps_end`,
    );
    await run.lineMatching(/^ {2}… still building the fake thing \(1 s\)$/);
    writeFileSync(release, '');
    const { code, stdout, stderr } = await run.done;

    // set -e semantics: the failing step's status ends the script; nothing after it runs.
    expect(code).toBe(1);
    expect(existsSync(join(dir, 'after-ran'))).toBe(false);
    expect(stdout).not.toContain('\r');

    const lines = stdout.trimEnd().split('\n');
    const t = String.raw`\d+(\.\d)? s`;
    expect(lines[0]).toMatch(new RegExp(`^t: fast … ${t}$`));
    expect(lines[1]).toMatch(new RegExp(`^t: already … fake 1\\.0 already installed \\(${t}\\)$`));
    expect(lines[2]).toBe('t: slow …');
    expect(lines[3]).toBe('  … still building the fake thing (1 s)');
    // Further progress lines only if the machine was slow to release the step.
    const slowEnd = lines.findIndex((l, i) => i > 3 && l.startsWith('t: slow … '));
    expect(lines.slice(4, slowEnd).every((l) => /^ {2}… still building the fake thing \(\d+ s\)$/.test(l))).toBe(true);
    expect(lines[slowEnd]).toMatch(new RegExp(`^t: slow … ${t}$`));
    // The slow step took at least the one progress interval.
    expect(Number(/(\d+(\.\d)?) s$/.exec(lines[slowEnd] ?? '')?.[1])).toBeGreaterThanOrEqual(1);
    expect(lines[slowEnd + 1]).toMatch(new RegExp(`^t: failing … failed after ${t} \\(exit 1\\)$`));
    expect(lines).toHaveLength(slowEnd + 2);

    // A step's own output goes to the log only, and the log says where each step began and ended.
    expect(stdout).not.toContain('verbose output');
    const logText = readFileSync(log, 'utf8');
    expect(logText).toContain("fast step's verbose output");
    expect(logText).toContain('slow done');
    expect(logText).toMatch(/^== slow: done after \d+(\.\d)? s$/m);
    expect(logText).toMatch(/^== failing: failed \(exit 1\) after \d+(\.\d)? s$/m);
    expect(logText).not.toContain('errexit did not stop the step');

    // On failure: the step's last 20 lines of output, then where the whole log is.
    const err = stderr.trimEnd().split('\n');
    expect(err.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `  | failing step line ${i + 11}`));
    expect(err[20]).toBe(`t: step "failing" failed; its output is in ${log}`);
    expect(err).toHaveLength(21);
  });

  it('ends with the total time and the log path when every step passed', async () => {
    const log = join(dir, 'ok.log');
    const { code, stdout } = await runSteps('ok', `steps_begin t ${JSON.stringify(log)}\nstep one true\nsteps_end`).done;
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^t: ready in \\d+(\\.\\d)? s \\(log: ${log}\\)$`));
  });

  it('on SIGTERM ends the running step with all its processes and says where the log is', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const run = runSteps(
      'term',
      `hang() { sleep 600 & echo $! > ${JSON.stringify(pidFile)}.tmp; mv ${JSON.stringify(pidFile)}.tmp ${JSON.stringify(pidFile)}; wait; }
steps_begin t ${JSON.stringify(join(dir, 'term.log'))}
step hang hang
step never true`,
    );
    await run.lineMatching(/^t: hang …$/);
    await waitFor('the step to start its child', () => existsSync(pidFile));
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(grandchild)).toBe(true);
    run.child.kill('SIGTERM');
    const { code, stdout, stderr } = await run.done;
    expect(code).toBe(143);
    expect(stdout).not.toContain('t: never');
    expect(stderr).toContain(`t: interrupted (log: ${join(dir, 'term.log')})`);
    // The step's own child (a sleep in its process group) is gone too, not left running.
    await waitFor(`pid ${grandchild} to end`, () => !alive(grandchild));
  });
});

describe('scripts/lib/steps.sh, on a terminal', () => {
  it('redraws one line per step with carriage returns and finishes it with the time', async () => {
    const { code, stdout } = await runSteps(
      'tty',
      `steps_begin t ${JSON.stringify(join(dir, 'tty.log'))}
step one step_note "fake already there"
step two true`,
      { KC_PROGRESS: 'tty' },
    ).done;
    expect(code).toBe(0);
    // What a terminal shows: each line's text after its last "erase line".
    const shown = stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\r\x1b[K').at(-1));
    expect(shown).toHaveLength(2);
    expect(shown[0]).toMatch(/^t: one … fake already there \(\d+\.\d s\)$/);
    expect(shown[1]).toMatch(/^t: two … \d+\.\d s$/);
    expect(stdout).toContain('\r\x1b[K');
  });
});
