import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeSync, constants as fsc } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessStdio } from './stdio.js';

const dir = mkdtempSync(join(tmpdir(), 'kc-shim-stdio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a fifo reader gets until EOF. */
function readAll(fd: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = new Socket({ fd, readable: true, writable: false });
    let text = '';
    s.on('data', (d: Buffer) => {
      text += d.toString();
    });
    s.on('end', () => resolve(text));
    s.on('error', reject);
  });
}

describe('stdio fifos', () => {
  it('keeps what the process wrote before containerd’s reader opened the fifo, then gives the reader EOF', async () => {
    const path = join(dir, 'out');
    execFileSync('mkfifo', [path]);
    const io = new ProcessStdio({ stdin: '', stdout: path, stderr: path });
    expect(io.options[1]).toBe(io.options[2]);
    // The process writes and exits (its copy is the shim's fd here) before any reader came.
    writeSync(io.options[1] as number, 'early\n');
    io.attach(null);
    // The reader comes late: it must still get the bytes, and EOF once the shim let go.
    const reader = openSync(path, fsc.O_RDONLY | fsc.O_NONBLOCK);
    expect(await readAll(reader)).toBe('early\n');
  });

  it('release lets go without a reader (no open left blocked)', async () => {
    const path = join(dir, 'never-read');
    execFileSync('mkfifo', [path]);
    const io = new ProcessStdio({ stdin: '', stdout: path, stderr: '' });
    io.attach(null);
    io.release();
    // Nothing holds the fifo now: a writer finds no reader.
    expect(() => openSync(path, fsc.O_WRONLY | fsc.O_NONBLOCK)).toThrow(/ENXIO/);
  });
});
