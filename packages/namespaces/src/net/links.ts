import { KcErrorCode } from '@kc/native';
import { NamespaceError } from '../errors.js';
import type { Namespace } from '../namespace.js';
import { validateInterfaceName } from './names.js';
import {
  type Attr,
  attrBytes,
  attrNested,
  attrString,
  concat,
  encodeAttrs,
  attrToString,
  attrToU32,
  attrU32,
  IFINFOMSG_LEN,
  ifinfomsg,
  type IncomingMessage,
  NL,
  parseAttrs,
} from './netlink-message.js';
import { RtnetlinkSocket } from './rtnetlink-socket.js';

/** Where a network operation runs: a network namespace handle, or the caller's own when omitted. */
export interface NetnsOption {
  /** The network namespace to act in (default: the caller's). */
  netns?: Namespace;
}

/** A network interface as RTM_GETLINK reports it. */
export interface LinkInfo {
  /** The ifindex (`ifi_index`), unique within the network namespace. */
  index: number;
  /** The interface name (IFLA_IFNAME), at most 15 bytes. */
  name: string;
  /** IFF_* flags. */
  flags: number;
  /** IFF_UP is set. */
  up: boolean;
  /** MTU in bytes (IFLA_MTU); undefined when the kernel did not report it. */
  mtu: number | undefined;
  /** The link kind (`'veth'`, `'bridge'`...) from IFLA_LINKINFO, when it has one. */
  kind: string | undefined;
  /** The hardware address as `aa:bb:...`, when it has one. */
  mac: string | undefined;
}

/** Decodes one RTM_NEWLINK message. */
export function decodeLink(m: IncomingMessage): LinkInfo {
  const view = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
  const attrs = parseAttrs(m.payload.subarray(IFINFOMSG_LEN));
  const info = attrs.get(NL.IFLA_LINKINFO);
  const mac = attrs.get(NL.IFLA_ADDRESS);
  const flags = view.getUint32(8, true);
  return {
    index: view.getInt32(4, true),
    name: attrToString(attrs.get(NL.IFLA_IFNAME)) ?? '',
    flags,
    up: (flags & NL.IFF_UP) !== 0,
    mtu: attrToU32(attrs.get(NL.IFLA_MTU)),
    kind: info ? attrToString(parseAttrs(info).get(NL.IFLA_INFO_KIND)) : undefined,
    mac: mac && mac.length > 0 ? [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':') : undefined,
  };
}

/**
 * Lists the interfaces of a network namespace (like `ip -j link show`).
 *
 * @throws {@link NamespaceError} with the errno of the netlink socket.
 * @example
 * ```ts
 * for (const l of listLinks({ netns })) console.log(l.index, l.name, l.up);
 * ```
 */
export function listLinks(options: NetnsOption = {}): LinkInfo[] {
  using sock = RtnetlinkSocket.open(options.netns);
  return sock
    .dump(NL.RTM_GETLINK, ifinfomsg())
    .filter((m) => m.type === NL.RTM_NEWLINK)
    .map(decodeLink);
}

/**
 * The interface called `name`, or undefined.
 *
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` for a bad name.
 */
export function findLink(name: string, options: NetnsOption = {}): LinkInfo | undefined {
  validateInterfaceName(name);
  return listLinks(options).find((l) => l.name === name);
}

/** The index of `name`, or a `NOT_FOUND` {@link NamespaceError}. */
export function linkIndex(sock: RtnetlinkSocket, name: string): number {
  const link = sock
    .dump(NL.RTM_GETLINK, ifinfomsg())
    .map(decodeLink)
    .find((l) => l.name === name);
  if (!link) throw new NamespaceError(`no interface named ${name}`, { code: KcErrorCode.NotFound, field: 'name' });
  return link.index;
}

/**
 * Sets an interface up (or down with `up: false`), like `ip link set NAME up`.
 *
 * Privileges: CAP_NET_ADMIN over the namespace.
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` for a bad name, `NOT_FOUND` when there is no such interface.
 * @example
 * ```ts
 * setLinkUp('lo', { netns }); // loopback of a fresh namespace starts down
 * ```
 */
export function setLinkUp(name: string, options: NetnsOption & { up?: boolean } = {}): void {
  validateInterfaceName(name);
  using sock = RtnetlinkSocket.open(options.netns);
  const index = linkIndex(sock, name);
  const up = options.up ?? true;
  sock.request(NL.RTM_NEWLINK, 0, ifinfomsg({ index, flags: up ? NL.IFF_UP : 0, change: NL.IFF_UP }), [], `set ${name} ${up ? 'up' : 'down'}`);
}

/** Where a link is moved: a network namespace handle or the namespace of a process. */
export type NetnsDestination =
  | Namespace
  | {
      /** A process whose network namespace is the destination (IFLA_NET_NS_PID), in the caller's pid namespace. */
      pid: number;
    };

/** The attribute naming a destination namespace (IFLA_NET_NS_FD or IFLA_NET_NS_PID). */
export function destinationAttr(to: NetnsDestination, field: string) {
  if ('pid' in to && !('fd' in to)) {
    if (!Number.isInteger(to.pid) || to.pid <= 0) throw new NamespaceError(`${field}.pid: not a process id`, { code: KcErrorCode.InvalidArgument, field });
    return attrU32(NL.IFLA_NET_NS_PID, to.pid);
  }
  const ns = to as Namespace;
  if (ns.kind !== 'net') throw new NamespaceError(`${field}: ${ns.id} is not a network namespace`, { code: KcErrorCode.InvalidArgument, field });
  return attrU32(NL.IFLA_NET_NS_FD, ns.fd);
}

/**
 * Moves an interface into another network namespace (`ip link set NAME netns X`).
 *
 * Privileges: CAP_NET_ADMIN over both namespaces.
 * @throws {@link NamespaceError} `NOT_FOUND` when there is no such interface.
 */
export function moveLink(name: string, to: NetnsDestination, options: NetnsOption = {}): void {
  validateInterfaceName(name);
  const dest = destinationAttr(to, 'to');
  using sock = RtnetlinkSocket.open(options.netns);
  const index = linkIndex(sock, name);
  sock.request(NL.RTM_NEWLINK, 0, ifinfomsg({ index }), [dest], `move ${name}`);
}

/**
 * Deletes an interface (`ip link del NAME`); deleting one end of a veth pair deletes both.
 *
 * @throws {@link NamespaceError} `NOT_FOUND` when there is no such interface.
 */
export function deleteLink(name: string, options: NetnsOption = {}): void {
  validateInterfaceName(name);
  using sock = RtnetlinkSocket.open(options.netns);
  const index = linkIndex(sock, name);
  sock.request(NL.RTM_DELLINK, 0, ifinfomsg({ index }), [], `delete ${name}`);
}

/** Options of {@link createVethPair}. */
export interface VethPairOptions extends NetnsOption {
  /** Name of the end created in `netns`. */
  name: string;
  /** Name of the other end. */
  peer: string;
  /** Where the peer end is created (atomically, in the same request). Default: beside `name`. */
  peerNetns?: NetnsDestination;
  /** MTU in bytes of both ends, 68..65535. Default: the kernel's (1500). */
  mtu?: number;
}

/**
 * Creates a veth pair in one RTM_NEWLINK request (IFLA_LINKINFO kind "veth"
 * with VETH_INFO_PEER), the peer optionally born directly in another
 * namespace, so no half-made pair can be left behind.
 *
 * Privileges: CAP_NET_ADMIN.
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` for names over 15 bytes (before any netlink call), `EEXIST` when a name is taken.
 * @example
 * ```ts
 * createVethPair({ name: 'kc-host0', peer: 'kc-ctr0', peerNetns: Namespace.fromPid(child.pid, 'net') });
 * ```
 */
export function createVethPair(o: VethPairOptions): void {
  validateInterfaceName(o.name, 'name');
  validateInterfaceName(o.peer, 'peer');
  if (o.name === o.peer && o.peerNetns === undefined) {
    throw new NamespaceError('name and peer must differ in one namespace', { code: KcErrorCode.InvalidArgument, field: 'peer' });
  }
  if (o.mtu !== undefined && (!Number.isInteger(o.mtu) || o.mtu < 68 || o.mtu > 65535)) {
    throw new NamespaceError(`mtu: ${o.mtu} is not 68..65535`, { code: KcErrorCode.InvalidArgument, field: 'mtu' });
  }
  const mtu = o.mtu === undefined ? [] : [attrU32(NL.IFLA_MTU, o.mtu)];
  const peerAttrs = [attrString(NL.IFLA_IFNAME, o.peer), ...mtu, ...(o.peerNetns ? [destinationAttr(o.peerNetns, 'peerNetns')] : [])];
  // VETH_INFO_PEER carries a struct ifinfomsg followed by the peer's attributes (drivers/net/veth.c).
  using sock = RtnetlinkSocket.open(o.netns);
  sock.request(
    NL.RTM_NEWLINK,
    NL.F_CREATE | NL.F_EXCL,
    ifinfomsg(),
    [
      attrString(NL.IFLA_IFNAME, o.name),
      ...mtu,
      attrNested(NL.IFLA_LINKINFO, [attrString(NL.IFLA_INFO_KIND, 'veth'), attrNested(NL.IFLA_INFO_DATA, [peerInfo(ifinfomsg(), peerAttrs)])]),
    ],
    `create veth ${o.name}/${o.peer}`,
  );
}

function peerInfo(header: Uint8Array, attrs: readonly Attr[]): Attr {
  return attrBytes(NL.VETH_INFO_PEER, concat([header, encodeAttrs(attrs)]));
}
