import { rawNetlink } from '@kc/native';
import { nsCall } from './internal/native-call.js';

/** Socket types of {@link unixSocketPair}. */
export type UnixSocketType = 'stream' | 'dgram' | 'seqpacket';

/**
 * A connected pair of unix sockets (socketpair(2), close-on-exec). Unlike a
 * path or abstract socket, a pair needs no shared filesystem or network
 * namespace: pass one end to a child in other namespaces (`extraFds`) and
 * both sides talk across the boundary. Wrap an end with
 * `new net.Socket({ fd })` to use it from Node.
 *
 * @throws {@link NamespaceError} with the errno of socketpair(2).
 * @example
 * ```ts
 * const [mine, theirs] = unixSocketPair();
 * spawn({ argv: ['/bin/sh', '-c', 'echo hi >&3'], namespaces: ['net', 'mnt'], extraFds: [theirs] });
 * ```
 */
export function unixSocketPair(type: UnixSocketType = 'stream'): [number, number] {
  const t = { stream: 1, dgram: 2, seqpacket: 5 }[type];
  return nsCall(() => rawNetlink().unixSocketpair(t));
}
