import { appendFileSync, writeSync } from 'node:fs';

/** Where the CLI reports errors: stderr, plus runc's `--log` file (text or JSON lines, which conmon reads). */
export interface CliLog {
  file?: string;
  json: boolean;
}

/** Writes one log line at `level` to the --log file, if any. */
export function logLine(log: CliLog, level: 'error' | 'warning' | 'info' | 'debug', msg: string): void {
  if (!log.file) return;
  const time = new Date().toISOString();
  const line = log.json ? JSON.stringify({ level, msg, time }) : `time="${time}" level=${level} msg="${msg.replace(/"/g, '\\"')}"`;
  try {
    appendFileSync(log.file, `${line}\n`);
  } catch {
    /* the log is best effort */
  }
}

/** Prints a JSON value on stdout the way runc does (indented for state, compact otherwise). */
export function printJson(value: unknown, indent = true): void {
  writeStdout(`${JSON.stringify(value, null, indent ? 2 : undefined)}\n`);
}

/**
 * Writes `text` to fd 1 at once, without `process.stdout`: creating that
 * stream loads Node's stream modules, a sizeable part of a `kc state` call.
 * (Node writes to files, pipes and terminals synchronously on Linux too, so
 * this output and `process.stdout`'s stay in order.) A stdout left
 * non-blocking by whoever made it is waited on when full.
 */
export function writeStdout(text: string): void {
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(1, rest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // 1 ms, then again
    }
  }
}
