import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { createEventfd, PollEvent, watchFd } from '@kc/native';
import { fsError, writeCgroupFile } from '../internal/fs.js';
import type { CgroupEvent, EventSource } from './types.js';

/**
 * A cgroup v1 notification through `cgroup.event_control`
 * (cgroup-v1/memory.rst §9, §10): register "<eventfd> <fd of file> [args]",
 * then every signal bumps the eventfd counter, which kc polls in libuv.
 * The registration ends when the eventfd is closed (or the cgroup removed).
 */
export function eventControlSource(memoryDir: string, file: string, args: string, type: string, extra: Partial<CgroupEvent> = {}): EventSource {
  return (push, fail) => {
    const efd = createEventfd(0);
    let target: number;
    try {
      target = openSync(join(memoryDir, file), 'r');
    } catch (e) {
      closeSync(efd);
      throw fsError(e, 'open', join(memoryDir, file), 'opening a v1 notification file failed');
    }
    try {
      writeCgroupFile(join(memoryDir, 'cgroup.event_control'), `${efd} ${target}${args ? ` ${args}` : ''}`);
    } catch (e) {
      closeSync(efd);
      closeSync(target);
      throw e;
    }
    let count = 0;
    const buf = Buffer.alloc(8);
    const watch = watchFd(
      efd,
      PollEvent.Readable,
      () => {
        try {
          if (readSync(efd, buf, 0, 8, null) !== 8) return;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return;
          fail(e);
          return;
        }
        count += Number(buf.readBigUInt64LE(0));
        push({ type, value: count, source: file, ...extra });
      },
      fail,
    );
    return () => {
      watch.stop();
      closeSync(efd);
      closeSync(target);
    };
  };
}

/** v1 OOM notifications (memory.oom_control). */
export function v1OomSource(memoryDir: string): EventSource {
  return eventControlSource(memoryDir, 'memory.oom_control', '', 'oom');
}

/**
 * v1 usage-threshold crossings (memory.usage_in_bytes), in either direction.
 * The kernel only bumps one eventfd per registration, so each threshold has
 * its own and its events carry `thresholdBytes`: which one fired.
 */
export function v1ThresholdSource(memoryDir: string, bytes: number): EventSource {
  return eventControlSource(memoryDir, 'memory.usage_in_bytes', String(bytes), 'threshold', { thresholdBytes: bytes });
}
