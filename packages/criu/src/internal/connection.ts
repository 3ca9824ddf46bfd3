import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { rawSocket } from '@kc/native';
import { SeqpacketChannel } from './channel.js';

/** A live RPC conversation with CRIU: a `criu swrk` child or a `criu service` connection. */
export interface CriuConnection {
  readonly channel: SeqpacketChannel;
  /** What CRIU wrote to stderr so far (swrk only). */
  stderr(): string;
  /** Closes the socket and waits for the swrk child to exit. */
  close(): Promise<void>;
  /** Ends the conversation at once: SIGKILLs the swrk child, or closes a service connection. */
  kill(): void;
}

/**
 * Starts `criu swrk 3` with one end of a SOCK_SEQPACKET socketpair as its fd 3
 * (Node's stdio mapping dup2()s it, which clears close-on-exec in the child).
 * `extraFds` become fds 4, 5, ... in CRIU (for inherit_fd). `prefix` runs CRIU
 * through a wrapper such as `nsenter --net=/run/netns/x`.
 */
export function startSwrk(binary: string, prefix: readonly string[], extraFds: readonly number[]): Promise<CriuConnection> {
  const [parentEnd, childEnd] = rawSocket().seqpacketPair();
  const command = prefix.length > 0 ? (prefix[0] as string) : binary;
  const args = prefix.length > 0 ? [...prefix.slice(1), binary, 'swrk', '3'] : ['swrk', '3'];
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe', childEnd, ...extraFds] });
  } finally {
    // The child holds its own copy: ours must go, or CRIU's exit never reads as EOF.
    closeSync(childEnd);
  }
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    if (stderr.length < 64 * 1024) stderr += s;
  });
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
  });
  const channel = new SeqpacketChannel(parentEnd);
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      channel.close();
      reject(e);
    });
    child.once('spawn', () =>
      resolve({
        channel,
        stderr: () => stderr,
        async close() {
          channel.close();
          await exited;
        },
        kill() {
          child.kill('SIGKILL');
        },
      }),
    );
  });
}

/** Connects to a running `criu service --address <path>` socket. */
export function connectService(path: string): CriuConnection {
  const channel = new SeqpacketChannel(rawSocket().seqpacketConnect(path));
  return {
    channel,
    stderr: () => '',
    async close() {
      channel.close();
    },
    kill() {
      channel.close();
    },
  };
}
