import { KcErrorCode } from '@kc/native';
import { NamespaceError } from '../errors.js';
import type { Namespace } from '../namespace.js';
import { addAddress } from './addresses.js';
import { parseCidr } from './ip-address.js';
import { createVethPair, deleteLink, findLink, setLinkUp } from './links.js';
import { validateInterfaceName } from './names.js';
import { addRoute } from './routes.js';

/** One side of a {@link connectWithVeth} link. */
export interface VethSide {
  /** Interface name on this side (at most 15 bytes). */
  name: string;
  /** The side's network namespace (default: the caller's). */
  netns?: Namespace;
  /** Address with prefix, e.g. `10.200.0.1/24`. */
  address?: string;
  /** Default route through this gateway. */
  gateway?: string;
  /** Also bring `lo` up on this side (a fresh namespace starts with lo down). */
  loopback?: boolean;
}

/** A veth link made by {@link connectWithVeth}; dispose it to delete both ends. */
export interface VethLink extends Disposable {
  /** The first end, as given to {@link connectWithVeth}. */
  readonly a: VethSide;
  /** The second end, created directly in `b.netns`. */
  readonly b: VethSide;
  /** Deletes the pair (deleting one end deletes both); ignores a pair already gone. */
  remove(): void;
}

/**
 * Connects two network namespaces with a veth pair: creates it (end `b` born
 * directly in `b.netns`), sets addresses, brings links (and optionally `lo`)
 * up, and adds default routes. Every input is checked before the first
 * netlink request; when a later step fails, the pair is deleted again, so a
 * failure leaves nothing behind.
 *
 * Privileges: CAP_NET_ADMIN over both namespaces.
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` before anything changes, or the failing step's errno after undoing.
 * @example
 * ```ts
 * using link = connectWithVeth(
 *   { name: 'kc-a0', netns: nsA, address: '10.200.0.1/24', loopback: true },
 *   { name: 'kc-b0', netns: nsB, address: '10.200.0.2/24', loopback: true },
 * );
 * ```
 */
export function connectWithVeth(a: VethSide, b: VethSide): VethLink {
  for (const [side, s] of [
    ['a', a],
    ['b', b],
  ] as const) {
    validateInterfaceName(s.name, `${side}.name`);
    if (s.address !== undefined) parseCidr(s.address, `${side}.address`);
    if (s.gateway !== undefined) parseCidr(s.gateway, `${side}.gateway`);
    if (s.netns !== undefined && s.netns.kind !== 'net') {
      throw new NamespaceError(`${side}.netns: ${s.netns.id} is not a network namespace`, { code: KcErrorCode.InvalidArgument, field: `${side}.netns` });
    }
  }
  createVethPair({ name: a.name, peer: b.name, ...(a.netns ? { netns: a.netns } : {}), ...(b.netns ? { peerNetns: b.netns } : {}) });
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    const opts = a.netns ? { netns: a.netns } : {};
    if (findLink(a.name, opts)) deleteLink(a.name, opts);
  };
  try {
    for (const s of [a, b]) {
      const opts = s.netns ? { netns: s.netns } : {};
      if (s.loopback) setLinkUp('lo', opts);
      if (s.address !== undefined) addAddress(s.name, s.address, opts);
      setLinkUp(s.name, opts);
      if (s.gateway !== undefined) addRoute({ destination: 'default', gateway: s.gateway, device: s.name, ...opts });
    }
  } catch (e) {
    try {
      remove();
    } catch {
      removed = false;
      // keep the original error; the pair may already be gone
    }
    throw e;
  }
  return { a, b, remove, [Symbol.dispose]: remove };
}
