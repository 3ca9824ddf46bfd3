import { closeSync, openSync, readSync } from 'node:fs';

/**
 * `bytes` random bytes as hex (container names, temp-file names, lock
 * nonces), read from the kernel's /dev/urandom. Not node:crypto: a CLI call
 * started from kc's startup snapshot would compile that module first (~5 ms,
 * more than the rest of a `kc state`), for a few bytes.
 */
export function randomHex(bytes: number): string {
  const buf = Buffer.alloc(bytes);
  const fd = openSync('/dev/urandom', 'r');
  try {
    for (let got = 0; got < bytes; ) got += readSync(fd, buf, got, bytes - got, null);
  } finally {
    closeSync(fd);
  }
  return buf.toString('hex');
}
