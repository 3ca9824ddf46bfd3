import { closeSync } from 'node:fs';
import { errnoName, rawNetlink } from '@kc/native';
import { NamespaceError } from '../errors.js';
import { nsCall } from '../internal/native-call.js';
import type { Namespace } from '../namespace.js';
import { type Attr, encodeMessage, type IncomingMessage, NL, parseError, parseMessages } from './netlink-message.js';

/** NETLINK_ROUTE (netlink(7)). */
const NETLINK_ROUTE = 0;
/** Each receive waits at most this long: rtnetlink answers in the sender's sendmsg, so only a kernel bug would block. */
const RECV_TIMEOUT_MS = 5000;

/**
 * An rtnetlink socket (NETLINK_ROUTE), optionally created inside another
 * network namespace: the native core enters it on the calling thread only
 * for the `socket()` call (network namespaces are per thread, and a socket
 * stays bound to the namespace it was created in). Requests are synchronous:
 * the kernel handles an rtnetlink request inside sendmsg, so the ack is
 * already queued when the send returns.
 *
 * Privileges: CAP_NET_ADMIN over the namespace for changes; reading needs none.
 * @example
 * ```ts
 * using sock = RtnetlinkSocket.open(netns);
 * const links = sock.dump(NL.RTM_GETLINK, ifinfomsg());
 * ```
 */
export class RtnetlinkSocket implements Disposable {
  #fd: number;
  #seq = Math.floor(Math.random() * 0x7fffffff);
  readonly #buf = new Uint8Array(256 * 1024);

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /**
   * Opens a socket in `netns` (default: the caller's network namespace).
   *
   * @throws {@link NamespaceError} with the errno of setns(2) or socket(2).
   */
  static open(netns?: Namespace): RtnetlinkSocket {
    if (netns && netns.kind !== 'net') {
      throw new NamespaceError(`${netns.id} is not a network namespace`, { code: 'INVALID_ARGUMENT', field: 'netns' });
    }
    return new RtnetlinkSocket(nsCall(() => rawNetlink().netlinkOpen(NETLINK_ROUTE, netns ? netns.fd : -1, RECV_TIMEOUT_MS)));
  }

  /**
   * Sends a request with NLM_F_ACK and waits for the kernel's answer.
   *
   * @param what - describes the operation for the error message (`'create veth kc1'`).
   * @throws {@link NamespaceError} with the kernel's errno and extended-ack text.
   */
  request(type: number, flags: number, body: Uint8Array, attrs: readonly Attr[], what: string): void {
    const seq = this.#send(type, NL.F_REQUEST | NL.F_ACK | flags, body, attrs);
    for (;;) {
      for (const m of this.#receive()) {
        if (m.seq !== seq) continue;
        if (m.type === NL.NLMSG_ERROR) {
          const { errno, message } = parseError(m);
          if (errno === 0) return;
          throw new NamespaceError(`${what}: ${errnoName(errno)}${message ? ` (${message})` : ''}`, {
            errno,
            syscall: 'rtnetlink',
          });
        }
      }
    }
  }

  /**
   * Sends a dump request (NLM_F_DUMP) and collects every answer up to NLMSG_DONE.
   *
   * @throws {@link NamespaceError} when the kernel answers with an error.
   */
  dump(type: number, body: Uint8Array, attrs: readonly Attr[] = []): IncomingMessage[] {
    const seq = this.#send(type, NL.F_REQUEST | NL.F_DUMP, body, attrs);
    const out: IncomingMessage[] = [];
    for (;;) {
      for (const m of this.#receive()) {
        if (m.seq !== seq) continue;
        if (m.type === NL.NLMSG_DONE) return out;
        if (m.type === NL.NLMSG_ERROR) {
          const { errno, message } = parseError(m);
          if (errno === 0) return out;
          throw new NamespaceError(`rtnetlink dump ${type}: ${errnoName(errno)}${message ? ` (${message})` : ''}`, { errno, syscall: 'rtnetlink' });
        }
        out.push(m);
      }
    }
  }

  /** Closes the socket. Idempotent. */
  close(): void {
    if (this.#fd >= 0) {
      closeSync(this.#fd);
      this.#fd = -1;
    }
  }

  /** Same as {@link RtnetlinkSocket.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #send(type: number, flags: number, body: Uint8Array, attrs: readonly Attr[]): number {
    this.#seq = (this.#seq + 1) >>> 0;
    const seq = this.#seq;
    const fd = this.#fd;
    nsCall(() => rawNetlink().netlinkSend(fd, encodeMessage({ type, flags, seq, body, attrs })));
    return seq;
  }

  #receive(): IncomingMessage[] {
    const fd = this.#fd;
    const n = nsCall(() => rawNetlink().netlinkRecv(fd, this.#buf));
    return parseMessages(this.#buf.slice(0, n));
  }
}
