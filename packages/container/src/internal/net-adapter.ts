/**
 * Brings the loopback interface of a container's new network namespace up,
 * as runc does ("loopback only"). Uses iproute2 through nsenter(1) until
 * `@kc/namespaces` exports its loopback helper; one call, so switching is local.
 */
import { execFileSync } from 'node:child_process';
import { ContainerError } from '../errors.js';

/** Sets `lo` up in the network namespace of `pid`. */
export function loopbackUp(pid: number): void {
  try {
    execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, '--', 'ip', 'link', 'set', 'lo', 'up'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new ContainerError('cannot bring up loopback in the container network namespace', { code: 'TOOL_FAILED', hint: 'is iproute2 installed (ip) and util-linux (nsenter)?', cause: e });
  }
}
