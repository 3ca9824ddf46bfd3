/**
 * The attack suite's harness: the same bundle under runc (the control) and kc,
 * one verdict line per run, one report line per attack, and cleanup by id.
 * Attackers are static C programs from reliability/fixtures/attacks, compiled
 * with `gcc -static -O2` on first use (cached by the hash of their sources),
 * so they need only a kernel and busybox inside the container.
 */
import { execFileSync, type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { OciConfig } from '@kc/container';
import { expect } from 'vitest';
import { KC, makeBundle, probe, tempDir, uniqueId } from '../../packages/container/test/helpers.js';

export { probe };

/**
 * The kc CLI under test: this tree's, or another build named by
 * `KC_ATTACK_KC` (how the README's before-the-fix column was recorded, from a
 * build of commit 6b4240d).
 */
export const KC_BIN = process.env.KC_ATTACK_KC || KC;

/** The two runtimes every attack runs under; runc is the control. */
export type Runtime = 'runc' | 'kc';
/** runc first: its verdict decides whether the attack itself is sound. */
export const RUNTIMES: readonly Runtime[] = ['runc', 'kc'];

/** What one run of an attack came to. */
export interface Outcome {
  /** `escaped`: the attack reached something outside the container. */
  readonly verdict: 'blocked' | 'escaped';
  /** The attacker's detail, or why the runtime refused to start it. */
  readonly detail: string;
}

const FIXTURES = join(import.meta.dirname, '../fixtures/attacks');
const ATTACKERS = ['cwd', 'fds', 'race', 'dev', 'cgroup', 'caps', 'procfs', 'ptrace', 'seccomp', 'swap', 'console'] as const;
/** An attacker program (one C file in reliability/fixtures/attacks). */
export type Attacker = (typeof ATTACKERS)[number];

/** Path of an attacker inside the container's root. */
export function at(a: Attacker): string {
  return `/atk/${a}`;
}

let compiled: string | undefined;

/** Host path of a compiled attacker (compiling them all on first use). */
export function attackerBin(a: Attacker): string {
  return join(compiledAttackers(), a);
}

/**
 * Compiles every attacker with `gcc -static -O2` into a directory named after
 * the hash of their sources, shared by the suite's files (each runs in its own
 * worker) and later runs; built in a temp dir and renamed into place, so
 * concurrent workers never see half a set.
 */
function compiledAttackers(): string {
  if (compiled) return compiled;
  const hash = createHash('sha256');
  for (const f of readdirSync(FIXTURES).sort()) hash.update(f).update(readFileSync(join(FIXTURES, f)));
  const dir = join(tmpdir(), `kc-attackers-${hash.digest('hex').slice(0, 16)}`);
  compiled = dir;
  if (existsSync(dir)) return dir;
  const tmp = mkdtempSync(`${dir}-`);
  for (const a of ATTACKERS) execFileSync('gcc', ['-static', '-O2', '-o', join(tmp, a), join(FIXTURES, `${a}.c`)]);
  chmodSync(tmp, 0o755);
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another worker won the race: its set is complete
  }
  return dir;
}

/**
 * A lab: compiled attackers, a private state root per runtime, and every
 * container id it handed out, so {@link Lab.cleanup} can remove exactly those.
 */
export class Lab {
  readonly dir = tempDir('kc-attacks-');
  readonly roots: Record<Runtime, string> = { runc: join(this.dir, 'runc-state'), kc: join(this.dir, 'kc-state') };
  private readonly ids = new Map<string, Runtime>();
  private readonly bundles: (() => void)[] = [];

  /** Makes the lab's dir (attackers compile on first use of {@link Lab.bin} or {@link Lab.bundle}). */
  constructor() {
    chmodSync(this.dir, 0o755); // a non-root container user must reach the lab's files
  }

  /** Host path of a compiled attacker. */
  bin(a: Attacker): string {
    return attackerBin(a);
  }

  /** A new container id for `rt`, remembered for cleanup. */
  id(rt: Runtime, tag: string): string {
    const id = uniqueId(`${rt}-${tag}`);
    this.ids.set(id, rt);
    return id;
  }

  /**
   * A busybox bundle with kc's default config running `args`, changed by
   * `edit`, with the attackers copied to `/atk/<name>` in the rootfs (see {@link at}) and `prepare`
   * applied to the rootfs; both runtimes run this same bundle.
   */
  bundle(args: string[], edit?: (c: OciConfig) => void, prepare?: (rootfs: string, bundle: string) => void): string {
    const b = makeBundle(args, edit);
    this.bundles.push(b.cleanup);
    const rootfs = join(b.bundle, 'rootfs');
    mkdirSync(join(rootfs, 'atk'));
    for (const a of ATTACKERS) if (a !== 'swap' && a !== 'console') copyFileSync(this.bin(a), join(rootfs, at(a)));
    prepare?.(rootfs, b.bundle);
    return b.bundle;
  }

  /** Rewrites a bundle's config.json with `edit` (one bundle, several configs in turn). */
  reconfigure(bundle: string, edit: (c: OciConfig) => void): void {
    const file = join(bundle, 'config.json');
    const c = JSON.parse(readFileSync(file, 'utf8')) as OciConfig;
    edit(c);
    writeFileSync(file, JSON.stringify(c, null, 2));
  }

  /** Runs a runtime command under the lab's state root for `rt`. */
  cli(rt: Runtime, args: string[], stdio?: { out: number }): SpawnSyncReturns<string> {
    const io = stdio ? { stdio: ['ignore', stdio.out, stdio.out] as ('ignore' | number)[] } : {};
    return spawnSync(this.command(rt), ['--root', this.roots[rt], ...args], { encoding: 'utf8', timeout: 60_000, ...io });
  }

  /** The executable of a runtime. */
  private command(rt: Runtime): string {
    return rt === 'runc' ? 'runc' : KC_BIN;
  }

  /** {@link Lab.cli} without blocking, so independent attempts can overlap (see {@link pool}). */
  cliAsync(rt: Runtime, args: string[]): Promise<SpawnSyncReturns<string>> {
    return new Promise((resolve) => {
      const p = spawn(this.command(rt), ['--root', this.roots[rt], ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
      let stdout = '';
      let stderr = '';
      p.stdout!.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      p.stderr!.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      p.on('close', (status, signal) => resolve({ pid: p.pid ?? 0, output: [], stdout, stderr, status, signal }));
    });
  }

  /** `run` in the foreground: the container's verdict line, or the runtime's refusal. */
  run(rt: Runtime, bundle: string, tag: string): Outcome {
    const id = this.id(rt, tag);
    return outcomeOf(this.cli(rt, ['run', '--bundle', bundle, id]));
  }

  /** {@link Lab.run} of the same bundle under runc, then kc. */
  runBoth(bundle: string, tag: string): Record<Runtime, Outcome> {
    const out = {} as Record<Runtime, Outcome>;
    for (const rt of RUNTIMES) out[rt] = this.run(rt, bundle, tag);
    return out;
  }

  /**
   * `run --detach` with the container's stdio on a file in the lab (a pipe
   * would stay open as long as the container runs): the id, whether it
   * started, and the runtime's last line of output if not.
   */
  start(rt: Runtime, bundle: string, tag: string, flags: string[] = []): { id: string; started: boolean; why: string } {
    const id = this.id(rt, tag);
    const log = join(this.dir, `${id}.log`);
    const fd = openSync(log, 'w');
    try {
      const r = this.cli(rt, ['run', '--detach', ...flags, '--bundle', bundle, id], { out: fd });
      if (r.status === 0) return { id, started: true, why: 'started' };
      return { id, started: false, why: refusal({ ...r, stderr: readFileSync(log, 'utf8') }) };
    } finally {
      closeSync(fd);
    }
  }

  /**
   * {@link Lab.start} for attacks that need a running container.
   * @throws Error if the runtime did not start it.
   */
  detach(rt: Runtime, bundle: string, tag: string): string {
    const s = this.start(rt, bundle, tag);
    if (!s.started) throw new Error(`${rt} run --detach ${s.id}: ${s.why}`);
    return s.id;
  }

  /**
   * Runs a `process.terminal` bundle detached with `--console-socket`, and
   * reads the verdict the container writes to its pty (received by the
   * `console` helper on the host).
   */
  async runWithConsole(rt: Runtime, bundle: string, tag: string): Promise<Outcome> {
    const sock = join(this.dir, `console-${rt}-${tag}.sock`);
    const helper = spawn(this.bin('console'), [sock], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    helper.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const done = new Promise((r) => helper.once('exit', r));
    try {
      // Observable readiness: the helper prints "listening" once the socket is bound.
      while (!out.includes('listening')) await new Promise((r) => helper.stdout!.once('data', r));
      const s = this.start(rt, bundle, tag, ['--console-socket', sock]);
      if (!s.started) return { verdict: 'blocked', detail: s.why };
      await done; // the pty closes when the container's process exits
      this.remove(rt, s.id);
      return outcomeOf({ stdout: out, stderr: '', status: 0 } as SpawnSyncReturns<string>);
    } finally {
      helper.kill('SIGKILL');
      await done;
    }
  }

  /** `exec` into a running container: the verdict line, or the runtime's refusal. */
  exec(rt: Runtime, id: string, args: string[], flags: string[] = []): Outcome {
    return outcomeOf(this.cli(rt, ['exec', ...flags, id, ...args]));
  }

  /** Force-deletes one container. */
  remove(rt: Runtime, id: string): void {
    this.cli(rt, ['delete', '--force', id]);
  }

  /**
   * Deletes every container the lab started that a runtime still lists,
   * removes the bundles and the lab dir, and returns any cgroup directory
   * still named after one of the lab's ids (runc's `/<id>` and kc's `kc/<id>`).
   */
  cleanup(): string[] {
    for (const rt of RUNTIMES) {
      const listed = this.cli(rt, ['list', '--quiet']).stdout ?? '';
      for (const id of listed.split('\n').filter((l) => this.ids.has(l))) this.remove(rt, id);
    }
    for (const c of this.bundles) c();
    rmSync(this.dir, { recursive: true, force: true });
    const left: string[] = [];
    for (const h of readdirSync('/sys/fs/cgroup')) {
      for (const id of this.ids.keys()) {
        for (const d of [join('/sys/fs/cgroup', h, id), join('/sys/fs/cgroup', h, 'kc', id)]) if (existsSync(d)) left.push(d);
      }
    }
    return left;
  }
}

/** Maps `items` through `fn` with at most `limit` calls in flight, keeping the order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Reads the last verdict line of a run; a run without one was refused by the
 * runtime (blocked), or its process died (a signal: seccomp's kill, the OOM
 * killer). See {@link refusal}.
 */
export function outcomeOf(r: SpawnSyncReturns<string>): Outcome {
  const line = (r.stdout ?? '')
    .replaceAll('\r', '')
    .split('\n')
    .filter((l) => /^(ESCAPED|BLOCKED)( |$)/.test(l))
    .at(-1);
  if (line) return { verdict: line.startsWith('ESCAPED') ? 'escaped' : 'blocked', detail: line.replace(/^\S+ ?/, '') };
  return { verdict: 'blocked', detail: refusal(r) };
}

/**
 * Why a run that printed no verdict counts as blocked: the runtime said why it
 * refused, in its own error format (kc: `kc: …` and status 1, as runc;
 * runc: `level=error`), or the container's process was killed (status
 * 128+signal, as both report it).
 * @throws Error for anything else (the runtime missing, Node unable to start,
 * a crash): that run never judged the attack, and counting it as blocked
 * would let a broken runtime pass the whole suite (it did once: in a qemu
 * guest, kc exited 14 on every call because its V8 snapshot did not fit the
 * guest's CPU).
 */
export function refusal(r: Pick<SpawnSyncReturns<string>, 'status' | 'signal' | 'stderr' | 'error'>): string {
  const stderr = (r.stderr ?? '').trim();
  const last = stderr.split('\n').at(-1) ?? '';
  const said = /^kc: /m.test(stderr) ? r.status === 1 : /level=error/.test(stderr);
  const killed = r.status !== null && r.status > 128 && r.status < 128 + 65;
  if (r.error || !(said || killed)) {
    const how = r.error ? String(r.error) : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    throw new Error(`the runtime never ran the attack (${how}): ${stderr.slice(-400) || '(no output)'}`);
  }
  return `refused (exit ${r.status}): ${last.slice(0, 200)}`;
}

/**
 * Several runs of one attack under one runtime count as escaped if any
 * escaped; the detail counts the distinct outcomes (their first 100 characters).
 */
export function worst(outcomes: readonly Outcome[]): Outcome {
  const bad = outcomes.filter((o) => o.verdict === 'escaped');
  if (bad.length) return { verdict: 'escaped', detail: `${bad.length}/${outcomes.length} escaped: ${bad[0]?.detail}` };
  const kinds = new Map<string, number>();
  for (const o of outcomes) {
    const k = o.detail.replace(/^\/proc\/self\/fd\/\d+: /, '').slice(0, 100);
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  const summary = [...kinds].map(([k, n]) => `${n}x ${k}`).join(' | ');
  return { verdict: 'blocked', detail: `${outcomes.length} run(s): ${summary}` };
}

/** Options of {@link judge}. */
export interface JudgeOptions {
  /**
   * runc 1.1.5 is itself vulnerable (it predates the fix named here): its
   * escape is reported, not a suite bug; kc must still block.
   */
  readonly runcPredates?: string;
}

/**
 * Prints `attack NAME: runc: ..., kc: ...` and asserts the suite's rule: runc
 * blocks (otherwise the attack is wrong: "suite bug"), unless it predates the
 * fix; kc blocks (otherwise a security failure).
 */
export function judge(name: string, runc: Outcome, kc: Outcome, opts: JudgeOptions = {}): void {
  const runcText = runc.verdict === 'blocked' ? 'blocked' : opts.runcPredates ? `ESCAPED (1.1.5 predates the fix: ${opts.runcPredates})` : 'ESCAPED';
  const kcText = kc.verdict === 'blocked' ? 'blocked' : 'ESCAPED';
  console.log(`attack ${name}: runc: ${runcText}, kc: ${kcText}\n  runc: ${runc.detail}\n  kc:   ${kc.detail}`);
  if (!opts.runcPredates) expect(runc.verdict, `suite bug: runc does not block "${name}", the attack is wrong (${runc.detail})`).toBe('blocked');
  expect(kc.verdict, `security failure: kc lets "${name}" through (${kc.detail})`).toBe('blocked');
}
