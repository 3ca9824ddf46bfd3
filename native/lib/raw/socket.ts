import { loadAddon } from '../addon.js';

/** One message received from a SOCK_SEQPACKET socket. */
export interface RawSeqpacketMessage {
  /** The whole message. */
  data: Buffer;
  /** Fds passed with it (SCM_RIGHTS), already close-on-exec; owned by the caller. */
  fds: number[];
  /** True when the peer closed its end (a zero-length read). */
  eof: boolean;
}

/**
 * Raw functions of binding/socket.cc: unix SOCK_SEQPACKET sockets, whole
 * messages, fd passing (unix(7), socketpair(2), sendmsg(2)). All sockets are
 * close-on-exec; send and receive never block.
 */
export interface RawSocket {
  /** socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC); returns both fds. */
  seqpacketPair(): [number, number];
  /** Connects a SOCK_SEQPACKET socket to the unix socket at `path` (e.g. `criu service --address`). */
  seqpacketConnect(path: string): number;
  /** Sends one message with optional fds; returns the bytes sent, or -1 when the socket is full (EAGAIN). */
  seqpacketSend(fd: number, data: Uint8Array, fds?: number[]): number;
  /** Receives one message, or null when none is queued (EAGAIN). */
  seqpacketReceive(fd: number): RawSeqpacketMessage | null;
  /** Sets (`on`) or clears FD_CLOEXEC on `fd`. */
  fdSetCloexec(fd: number, on: boolean): void;
}

/** The socket raw binding, loaded lazily. */
export function rawSocket(): RawSocket {
  return loadAddon<RawSocket>();
}
