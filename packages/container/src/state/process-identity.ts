/**
 * A process named by pid AND start time (field 22 of /proc/PID/stat), so a
 * pid the kernel recycled for another process is never taken for the
 * container's; and signals sent through a pidfd that was opened first and
 * checked afterwards (pidfd_open(2), pidfd_send_signal(2)): once the pidfd is
 * known to refer to the recorded process, it cannot reach another one.
 */
import { readFileSync } from 'node:fs';
import { rawCore } from '@kc/native';

/** Fields of /proc/PID/stat after the command name (index 0 is the state, 19 the start time). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Field 22 (starttime) of /proc/PID/stat, or -1 when the process is gone. */
export function pidStartTime(pid: number): number {
  const f = statFields(pid);
  return f ? Number(f[19]) : -1;
}

/** True when `pid` still is the process recorded (alive, not a zombie, same start time). */
export function sameProcessAlive(pid: number, startTime: number): boolean {
  if (pid <= 0) return false;
  const f = statFields(pid);
  return f !== undefined && f[0] !== 'Z' && f[0] !== 'X' && Number(f[19]) === startTime;
}

/**
 * Sends `signal` to the process recorded as (`pid`, `startTime`) through a
 * pidfd, and only if it still is that process. Returns false when it is gone
 * (or the pid now names another process), without signalling anything.
 */
export function signalRecordedProcess(pid: number, startTime: number, signal: number): boolean {
  if (pid <= 0) return false;
  let fd: number;
  try {
    fd = rawCore().pidfdOpen(pid);
  } catch {
    return false; // ESRCH: gone
  }
  try {
    // Checked after the open: if the pid was recycled before it, the start time differs; after it, the pidfd still names the old process.
    if (!sameProcessAlive(pid, startTime)) return false;
    rawCore().pidfdSendSignal(fd, signal);
    return true;
  } catch {
    return false; // exited between the check and the signal
  } finally {
    rawCore().closeFd(fd);
  }
}
