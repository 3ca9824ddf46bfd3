import { validateInterfaceName } from './names.js';
import { formatAddress, parseCidr } from './ip-address.js';
import { linkIndex, type NetnsOption } from './links.js';
import { attrBytes, IFADDRMSG_LEN, ifaddrmsg, NL, parseAttrs } from './netlink-message.js';
import { RtnetlinkSocket } from './rtnetlink-socket.js';

/** An address of an interface, as RTM_GETADDR reports it. */
export interface AddressInfo {
  /** Interface index. */
  index: number;
  /** Address family: `NL.AF_INET` (2) or `NL.AF_INET6` (10). */
  family: number;
  /** The local address (IFA_LOCAL, else IFA_ADDRESS) in text form, without the prefix. */
  address: string;
  /** Prefix length in bits (`ifa_prefixlen`). */
  prefix: number;
}

/**
 * Adds an address to an interface (`ip addr add CIDR dev NAME`).
 *
 * Privileges: CAP_NET_ADMIN over the namespace.
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` for a bad name or address (before any netlink call), `NOT_FOUND` for a missing interface, `EEXIST` when already set.
 * @example
 * ```ts
 * addAddress('eth0', '10.200.0.2/24', { netns });
 * ```
 */
export function addAddress(name: string, cidr: string, options: NetnsOption = {}): void {
  validateInterfaceName(name);
  const a = parseCidr(cidr);
  using sock = RtnetlinkSocket.open(options.netns);
  const index = linkIndex(sock, name);
  const scope = a.family === NL.AF_INET && a.bytes[0] === 127 ? NL.RT_SCOPE_HOST : NL.RT_SCOPE_UNIVERSE;
  // For IPv4, IFA_LOCAL is the interface's own address and IFA_ADDRESS the peer (equal on broadcast links).
  sock.request(
    NL.RTM_NEWADDR,
    NL.F_CREATE | NL.F_EXCL,
    ifaddrmsg({ family: a.family, prefixlen: a.prefix, scope, index }),
    [attrBytes(NL.IFA_LOCAL, a.bytes), attrBytes(NL.IFA_ADDRESS, a.bytes)],
    `add ${cidr} to ${name}`,
  );
}

/**
 * Lists addresses (`ip -j addr show`), optionally of one interface index.
 */
export function listAddresses(options: NetnsOption & { index?: number } = {}): AddressInfo[] {
  using sock = RtnetlinkSocket.open(options.netns);
  const out: AddressInfo[] = [];
  for (const m of sock.dump(NL.RTM_GETADDR, ifaddrmsg({ family: NL.AF_UNSPEC, prefixlen: 0, index: 0 }))) {
    if (m.type !== NL.RTM_NEWADDR) continue;
    const v = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
    const attrs = parseAttrs(m.payload.subarray(IFADDRMSG_LEN));
    const bytes = attrs.get(NL.IFA_LOCAL) ?? attrs.get(NL.IFA_ADDRESS);
    const index = v.getUint32(4, true);
    if (!bytes || (options.index !== undefined && index !== options.index)) continue;
    out.push({ index, family: v.getUint8(0), address: formatAddress(bytes), prefix: v.getUint8(1) });
  }
  return out;
}
