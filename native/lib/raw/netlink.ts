import { loadAddon } from '../addon.js';

/** Raw functions of binding/netlink.cc (netlink sockets and unix socket pairs). */
export interface RawNetlink {
  /** A bound AF_NETLINK socket of `protocol`, created inside `netnsFd` when it is >= 0; each recv waits at most `recvTimeoutMs` (0: forever). */
  netlinkOpen(protocol: number, netnsFd: number, recvTimeoutMs: number): number;
  /** Sends one datagram to the kernel. */
  netlinkSend(fd: number, data: Uint8Array): number;
  /** Receives one datagram into `buf`; returns its length. */
  netlinkRecv(fd: number, buf: Uint8Array): number;
  /** The port id the kernel bound the socket to. */
  netlinkPort(fd: number): number;
  /** socketpair(AF_UNIX, type|SOCK_CLOEXEC); `type` 1 = SOCK_STREAM, 2 = SOCK_DGRAM, 5 = SOCK_SEQPACKET. */
  unixSocketpair(type: number): [number, number];
}

/** The netlink raw binding, loaded lazily. */
export function rawNetlink(): RawNetlink {
  return loadAddon<RawNetlink>();
}
