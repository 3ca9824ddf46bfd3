/** Runs a spawned kc process to completion and collects its output. */
import { spawn } from '@kc/native';
import type { ProcessSpec } from '@kc/native';

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export async function run(spec: ProcessSpec): Promise<RunResult> {
  const child = spawn({ stdio: ['ignore', 'pipe', 'pipe'], ...spec });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = await child.exited;
  // Let the pipes drain after exit.
  await new Promise((resolve) => setImmediate(resolve));
  return { exitCode: exit.exitCode, signal: exit.signal, stdout, stderr };
}
