import { appendFileSync } from 'node:fs';

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
  process.stdout.write(`${JSON.stringify(value, null, indent ? 2 : undefined)}\n`);
}
