import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { PollEvent, watchFd } from '@kc/native';
import { fsError } from '../internal/fs.js';
import { parseFlatKeyed } from '../resources/file-io.js';
import type { CgroupEvent, EventSource } from './types.js';

function readAt0(fd: number): string {
  const buf = Buffer.alloc(4096);
  const n = readSync(fd, buf, 0, buf.length, 0);
  return buf.toString('utf8', 0, n);
}

/**
 * Watches a flat-keyed v2 file such as `memory.events` or `cgroup.events`:
 * the kernel signals a change as POLLPRI on an open fd (kernfs_notify, see
 * cgroup-v2.rst "generates a file modified event"), and the signal is
 * re-armed by reading the file again. Each key whose value changed becomes
 * an event (`keys` filters; all keys when omitted).
 */
export function keyedFileSource(path: string, keys?: readonly string[]): EventSource {
  return (push, fail) => {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw fsError(e, 'open', path, 'opening an events file failed');
    }
    const source = basename(path);
    let last = parseFlatKeyed(readAt0(fd));
    const watch = watchFd(
      fd,
      PollEvent.Priority,
      () => {
        let now: Record<string, number>;
        try {
          now = parseFlatKeyed(readAt0(fd));
        } catch (e) {
          fail(e);
          return;
        }
        for (const [k, v] of Object.entries(now)) {
          if (keys && !keys.includes(k)) continue;
          if (last[k] !== v) push({ type: k, value: v, source } satisfies CgroupEvent);
        }
        last = now;
      },
      fail,
    );
    return () => {
      watch.stop();
      closeSync(fd);
    };
  };
}
