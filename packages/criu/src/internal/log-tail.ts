import { readFileSync } from 'node:fs';

/** The last `lines` non-empty lines of a log file, or [] when it cannot be read. */
export function readLogTail(path: string | undefined, lines = 20): string[] {
  if (!path) return [];
  try {
    const text = readFileSync(path, 'utf8');
    return text
      .split('\n')
      .filter((l) => l.length > 0)
      .slice(-lines);
  } catch {
    return [];
  }
}
