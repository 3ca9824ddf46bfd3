import { existsSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from '@kc/native';
import { afterAll, describe, expect, it } from 'vitest';
import { Act, compile, policy, readTargetString, SeccompSupervisor, seccompFeatures, toSpawnSeccomp } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), `kc-test-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const features = seccompFeatures();

/** Probes ADDFD on a throwaway listener (a child whose filter notifies nothing it calls). */
async function probeAddFd() {
  if (!features.actions.USER_NOTIF) return { addFd: false, send: false };
  const child = spawn({
    argv: ['/bin/true'],
    noNewPrivileges: true,
    seccomp: toSpawnSeccomp(compile(policy(Act.allow).notify('mkdir').build()), { listener: true }),
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const sup = new SeccompSupervisor(child.seccompListenerFd as number);
  try {
    return sup.addFdSupport();
  } finally {
    sup[Symbol.dispose]();
    await child.exited;
  }
}
const addFdSupport = await probeAddFd();

/** Spawns argv with mkdir/mkdirat (or `calls`) sent to a listener; returns the child, its supervisor and its output. */
function supervised(argv: string[], calls = ['mkdir', 'mkdirat'], signal?: AbortSignal) {
  const filter = compile(
    policy(Act.allow)
      .notify(...calls)
      .build(),
  );
  const child = spawn({
    argv,
    noNewPrivileges: true,
    seccomp: toSpawnSeccomp(filter, { listener: true }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(child.seccompListenerFd).not.toBeNull();
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const sup = new SeccompSupervisor(child.seccompListenerFd as number, { signal });
  return { child, sup, output: () => output };
}

/** The path argument of mkdir (args[0]) or mkdirat (args[1]). */
const pathArg = (n: { syscall?: string; args: readonly bigint[] }) => (n.syscall === 'mkdirat' ? (n.args[1] as bigint) : (n.args[0] as bigint));

describe.runIf(features.actions.USER_NOTIF)('user notification (SECCOMP_RET_USER_NOTIF, Linux 5.0)', () => {
  it("reports the kernel's notification sizes and probes flags without installing anything", () => {
    expect(features.notifSizes?.notif).toBeGreaterThanOrEqual(80);
    expect(features.flags.NEW_LISTENER).toBe(true);
    expect(features.flags.TSYNC).toBe(true);
  });

  it("TS code denies a supervised child's mkdir with EPERM, after reading its path from the child's memory", async () => {
    const target = join(dir, 'denied');
    const { child, sup, output } = supervised(['/bin/busybox', 'mkdir', target]);
    const seen: string[] = [];
    for await (const n of sup) {
      expect(n.pid).toBe(child.pid);
      expect(n.arch).toBe('x86_64');
      expect(typeof n.instructionPointer).toBe('bigint');
      expect(n.isValid()).toBe(true);
      seen.push(`${n.syscall}:${readTargetString(n, pathArg(n))}`);
      expect(n.deny(constants.errno.EPERM)).toBe(true);
      expect(n.deny(constants.errno.EPERM)).toBe(false); // answered once only
      expect(n.isValid()).toBe(false);
    }
    const status = await child.exited;
    expect(seen).toEqual([expect.stringMatching(new RegExp(`^mkdir(at)?:${target}$`))]);
    expect(status.exitCode).not.toBe(0);
    expect(output()).toContain('Operation not permitted');
    expect(existsSync(target)).toBe(false);
    expect(sup.ended).toBe(true);
  });

  it('continue() lets the kernel run the call; respond() fakes a result', async () => {
    const made = join(dir, 'made');
    const faked = join(dir, 'faked');
    const { child, sup, output } = supervised(['/bin/sh', '-c', `/bin/busybox mkdir ${made} && /bin/busybox mkdir ${faked} && echo both-ok`]);
    for await (const n of sup) {
      const path = readTargetString(n, pathArg(n));
      if (path === made) n.continue();
      else n.respond(0); // success without creating anything
    }
    const status = await child.exited;
    expect(status.exitCode).toBe(0);
    expect(output()).toContain('both-ok');
    expect(existsSync(made)).toBe(true);
    expect(existsSync(faked)).toBe(false);
  });

  it('ends with an AbortError on abort (as events.on) and closes the listener; the unanswered call then fails with ENOSYS', async () => {
    const target = join(dir, 'aborted');
    const ac = new AbortController();
    const { child, sup, output } = supervised(['/bin/busybox', 'mkdir', target], ['mkdir', 'mkdirat'], ac.signal);
    const names: string[] = [];
    const loop = (async () => {
      for await (const n of sup) {
        names.push(n.syscall ?? '?');
        ac.abort('stop'); // no answer: closing the listener makes the kernel fail the call
      }
    })();
    await expect(loop).rejects.toMatchObject({ name: 'AbortError', cause: 'stop' });
    const status = await child.exited;
    expect(sup.ended).toBe(true);
    expect(await sup.next()).toEqual({ value: undefined, done: true }); // the error is delivered once
    expect(names).toHaveLength(1);
    expect(status.exitCode).not.toBe(0);
    expect(output()).toMatch(/not implemented/i);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses an already-aborted signal with an AbortError and closes the listener it was given', async () => {
    const child = spawn({
      argv: ['/bin/busybox', 'mkdir', join(dir, 'never')],
      noNewPrivileges: true,
      seccomp: toSpawnSeccomp(compile(policy(Act.allow).notify('mkdir', 'mkdirat').build()), { listener: true }),
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const fd = child.seccompListenerFd as number;
    const reason = new Error('already');
    expect(() => new SeccompSupervisor(fd, { signal: AbortSignal.abort(reason) })).toThrow(expect.objectContaining({ name: 'AbortError', cause: reason }));
    // The fd is closed (the kernel then fails the waiting mkdir with ENOSYS, and the child exits non-zero).
    expect(existsSync(`/proc/self/fd/${fd}`)).toBe(false);
    expect((await child.exited).exitCode).not.toBe(0);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});

describe.runIf(addFdSupport.addFd)('fd injection (SECCOMP_IOCTL_NOTIF_ADDFD, Linux 5.9)', () => {
  it("answers the child's openat with a file the supervisor opened", async () => {
    const secret = join(dir, 'supervisor-file');
    writeFileSync(secret, 'opened by the supervisor\n');
    const asked = join(dir, 'does-not-exist');
    const { child, sup, output } = supervised(['/bin/busybox', 'cat', asked], ['open', 'openat']);
    let injected = -1;
    for await (const n of sup) {
      const path = readTargetString(n, n.syscall === 'openat' ? (n.args[1] as bigint) : (n.args[0] as bigint));
      if (path !== asked) {
        n.continue();
        continue;
      }
      const fd = openSync(secret, 'r');
      try {
        if (addFdSupport.send) injected = n.addFd(fd, { send: true, cloexec: true });
        else {
          injected = n.addFd(fd, { cloexec: true });
          n.respond(injected);
        }
      } finally {
        closeSync(fd);
      }
    }
    const status = await child.exited;
    expect(injected).toBeGreaterThanOrEqual(3);
    expect(status.exitCode).toBe(0);
    expect(output()).toBe('opened by the supervisor\n');
  });
});
