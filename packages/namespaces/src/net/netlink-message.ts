/**
 * Netlink message building and parsing (netlink(7), rtnetlink(7)): the
 * `nlmsghdr` frame, rtnetlink bodies (`ifinfomsg`, `ifaddrmsg`, `rtmsg`) and
 * `rtattr` attributes with nesting. All integers are in host byte order
 * (little-endian on every platform kc supports).
 */

/** Netlink and rtnetlink constants used by kc (include/uapi/linux/netlink.h, rtnetlink.h, if_link.h, veth.h). */
export const NL = {
  /** nlmsg_type: a message to ignore. */
  NLMSG_NOOP: 1,
  /** nlmsg_type: an error or, with error 0, an ack (`struct nlmsgerr` payload). */
  NLMSG_ERROR: 2,
  /** nlmsg_type: ends a multipart (dump) reply. */
  NLMSG_DONE: 3,
  /** NLM_F_REQUEST: the message is a request (set on everything sent to the kernel). */
  F_REQUEST: 0x1,
  /** NLM_F_MULTI: part of a multipart reply, ended by NLMSG_DONE. */
  F_MULTI: 0x2,
  /** NLM_F_ACK: ask for an NLMSG_ERROR ack even on success. */
  F_ACK: 0x4,
  /** NLM_F_DUMP (NLM_F_ROOT | NLM_F_MATCH): a GET request returns every object, as a multipart reply. */
  F_DUMP: 0x300,
  /** NLM_F_REPLACE (new requests): replace an existing object. */
  F_REPLACE: 0x100,
  /** NLM_F_EXCL (new requests): fail with EEXIST if the object exists. */
  F_EXCL: 0x200,
  /** NLM_F_CREATE (new requests): create the object if it does not exist. */
  F_CREATE: 0x400,
  /** In an ack: extended-ack attributes follow the error. */
  F_ACK_TLVS: 0x200,
  /** In an ack: the original request was cut to its header. */
  F_CAPPED: 0x100,
  /** Extended-ack attribute: the kernel's error text (NUL-terminated string). */
  NLMSGERR_ATTR_MSG: 1,
  /** Create or change a network interface (`ifinfomsg` body). */
  RTM_NEWLINK: 16,
  /** Delete a network interface. */
  RTM_DELLINK: 17,
  /** Get one interface, or all with F_DUMP. */
  RTM_GETLINK: 18,
  /** Add an address to an interface (`ifaddrmsg` body). */
  RTM_NEWADDR: 20,
  /** Remove an address from an interface. */
  RTM_DELADDR: 21,
  /** Get addresses, all with F_DUMP. */
  RTM_GETADDR: 22,
  /** Add a route (`rtmsg` body). */
  RTM_NEWROUTE: 24,
  /** Delete a route. */
  RTM_DELROUTE: 25,
  /** Get routes, all with F_DUMP. */
  RTM_GETROUTE: 26,
  /** Link attribute: the hardware (MAC) address, raw bytes. */
  IFLA_ADDRESS: 1,
  /** Link attribute: the interface name, NUL-terminated, at most 15 bytes (IFNAMSIZ - 1). */
  IFLA_IFNAME: 3,
  /** Link attribute: MTU in bytes, u32. */
  IFLA_MTU: 4,
  /** Link attribute: ifindex of the underlying or peer link, u32. */
  IFLA_LINK: 5,
  /** Link attribute: ifindex of the master device (bridge, bond), u32; 0 detaches. */
  IFLA_MASTER: 10,
  /** Link attribute: RFC 2863 operational state, u8 (6 = IF_OPER_UP, 2 = DOWN). */
  IFLA_OPERSTATE: 16,
  /** Link attribute: nested IFLA_INFO_KIND / IFLA_INFO_DATA describing the link type. */
  IFLA_LINKINFO: 18,
  /** Link attribute: move the link into the network namespace of this pid, u32. */
  IFLA_NET_NS_PID: 19,
  /** Link attribute: move the link into the network namespace of this open nsfs fd, u32. */
  IFLA_NET_NS_FD: 28,
  /** Link attribute: the nsid of the namespace holding the peer/underlying link, s32. */
  IFLA_LINK_NETNSID: 37,
  /** Inside IFLA_LINKINFO: the link type name, e.g. `veth`, `bridge`. */
  IFLA_INFO_KIND: 1,
  /** Inside IFLA_LINKINFO: type-specific nested attributes. */
  IFLA_INFO_DATA: 2,
  /** Inside a veth's IFLA_INFO_DATA: an `ifinfomsg` plus IFLA_* attributes of the peer. */
  VETH_INFO_PEER: 1,
  /** Address attribute: the address (the peer address on point-to-point links). */
  IFA_ADDRESS: 1,
  /** Address attribute: the local address of the interface. */
  IFA_LOCAL: 2,
  /** Address attribute: the label, NUL-terminated (IPv4 only, e.g. `eth0:1`). */
  IFA_LABEL: 3,
  /** Route attribute: destination network address, raw bytes (length from `rtm_dst_len`). */
  RTA_DST: 1,
  /** Route attribute: output interface index, u32. */
  RTA_OIF: 4,
  /** Route attribute: next-hop gateway address, raw bytes. */
  RTA_GATEWAY: 5,
  /** Route attribute: the route metric, u32 (lower wins). */
  RTA_PRIORITY: 6,
  /** Route attribute: table id, u32 (for ids above 255, which `rtm_table` cannot hold). */
  RTA_TABLE: 15,
  /** Interface flag: administratively up (`ip link set up`). */
  IFF_UP: 0x1,
  /** Interface flag: a loopback device. */
  IFF_LOOPBACK: 0x8,
  /** Interface flag: operationally up (RFC 2863 state UP). */
  IFF_RUNNING: 0x40,
  /** Interface flag: the physical layer has carrier. */
  IFF_LOWER_UP: 0x10000,
  /** The main routing table (`ip route` without `table`). */
  RT_TABLE_MAIN: 254,
  /** Route protocol: installed by user space at configuration time (what `ip route add` uses). */
  RTPROT_BOOT: 3,
  /** Route protocol: installed by the kernel (e.g. the prefix route of an address). */
  RTPROT_KERNEL: 2,
  /** Scope: a global route or address. */
  RT_SCOPE_UNIVERSE: 0,
  /** Scope: valid only on the attached link (directly reachable). */
  RT_SCOPE_LINK: 253,
  /** Scope: valid only on this host (loopback addresses). */
  RT_SCOPE_HOST: 254,
  /** Route type: a gateway or direct unicast route. */
  RTN_UNICAST: 1,
  /** Address family: unspecified (link messages, dumps of every family). */
  AF_UNSPEC: 0,
  /** Address family: IPv4. */
  AF_INET: 2,
  /** Address family: IPv6. */
  AF_INET6: 10,
  /** Flag bits in rtattr.rta_type that are not part of the type. */
  NLA_TYPE_MASK: 0x3fff,
  /** rta_type bit: the payload is nested attributes. */
  NLA_F_NESTED: 0x8000,
} as const;

/** Size of `struct nlmsghdr`. */
export const NLMSG_HDRLEN = 16;
/** Size of `struct ifinfomsg`. */
export const IFINFOMSG_LEN = 16;
/** Size of `struct ifaddrmsg`. */
export const IFADDRMSG_LEN = 8;
/** Size of `struct rtmsg`. */
export const RTMSG_LEN = 12;

/** Rounds up to NLMSG_ALIGNTO / RTA_ALIGNTO (4). */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** One rtattr to encode: raw bytes or nested attributes. */
export type Attr =
  | {
      /** rta_type: an IFLA_*, IFA_*, RTA_* or IFLA_INFO_* number of the enclosing message or nest. */
      type: number;
      /** The payload, written as is and padded to 4 bytes. */
      data: Uint8Array;
    }
  | {
      /** rta_type of the nest, e.g. IFLA_LINKINFO. */
      type: number;
      /** Attributes encoded one after another as the payload. */
      nested: readonly Attr[];
      /** Also set NLA_F_NESTED in rta_type (required by some newer attributes; rtnetlink's older ones do without). */
      flagNested?: boolean;
    };

/** A u32 attribute. */
export function attrU32(type: number, value: number): Attr {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, value >>> 0, true);
  return { type, data };
}

/** A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND). */
export function attrString(type: number, value: string): Attr {
  const bytes = Buffer.from(`${value}\0`, 'utf8');
  return { type, data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
}

/** An attribute of raw bytes (addresses). */
export function attrBytes(type: number, data: Uint8Array): Attr {
  return { type, data };
}

/** A nested attribute (IFLA_LINKINFO, IFLA_INFO_DATA). */
export function attrNested(type: number, nested: readonly Attr[]): Attr {
  return { type, nested };
}

/** Encodes attributes, each padded to 4 bytes. */
export function encodeAttrs(attrs: readonly Attr[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const a of attrs) {
    const payload = 'data' in a ? a.data : encodeAttrs(a.nested);
    const len = 4 + payload.length;
    const buf = new Uint8Array(align4(len));
    const view = new DataView(buf.buffer);
    view.setUint16(0, len, true);
    view.setUint16(2, 'nested' in a && a.flagNested ? a.type | NL.NLA_F_NESTED : a.type, true);
    buf.set(payload, 4);
    parts.push(buf);
  }
  return concat(parts);
}

/** Joins byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A netlink message to send. */
export interface OutgoingMessage {
  type: number;
  flags: number;
  seq: number;
  /** The fixed rtnetlink body (ifinfomsg, ifaddrmsg, rtmsg). */
  body: Uint8Array;
  attrs?: readonly Attr[];
}

/** Encodes one message with its nlmsghdr (nlmsg_pid 0: the kernel fills the port). */
export function encodeMessage(m: OutgoingMessage): Uint8Array {
  const attrs = encodeAttrs(m.attrs ?? []);
  const bodyLen = align4(m.body.length);
  const total = NLMSG_HDRLEN + bodyLen + attrs.length;
  const buf = new Uint8Array(total);
  const view = new DataView(buf.buffer);
  view.setUint32(0, total, true);
  view.setUint16(4, m.type, true);
  view.setUint16(6, m.flags, true);
  view.setUint32(8, m.seq >>> 0, true);
  view.setUint32(12, 0, true);
  buf.set(m.body, NLMSG_HDRLEN);
  buf.set(attrs, NLMSG_HDRLEN + bodyLen);
  return buf;
}

/** `struct ifinfomsg`. */
export function ifinfomsg(f: { family?: number; type?: number; index?: number; flags?: number; change?: number } = {}): Uint8Array {
  const b = new Uint8Array(IFINFOMSG_LEN);
  const v = new DataView(b.buffer);
  v.setUint8(0, f.family ?? NL.AF_UNSPEC);
  v.setUint16(2, f.type ?? 0, true);
  v.setInt32(4, f.index ?? 0, true);
  v.setUint32(8, (f.flags ?? 0) >>> 0, true);
  v.setUint32(12, (f.change ?? 0) >>> 0, true);
  return b;
}

/** `struct ifaddrmsg`. */
export function ifaddrmsg(f: { family: number; prefixlen: number; flags?: number; scope?: number; index: number }): Uint8Array {
  const b = new Uint8Array(IFADDRMSG_LEN);
  const v = new DataView(b.buffer);
  v.setUint8(0, f.family);
  v.setUint8(1, f.prefixlen);
  v.setUint8(2, f.flags ?? 0);
  v.setUint8(3, f.scope ?? NL.RT_SCOPE_UNIVERSE);
  v.setUint32(4, f.index >>> 0, true);
  return b;
}

/** `struct rtmsg`. */
export function rtmsg(f: {
  family: number;
  dstLen?: number;
  srcLen?: number;
  tos?: number;
  table?: number;
  protocol?: number;
  scope?: number;
  type?: number;
  flags?: number;
}): Uint8Array {
  const b = new Uint8Array(RTMSG_LEN);
  const v = new DataView(b.buffer);
  v.setUint8(0, f.family);
  v.setUint8(1, f.dstLen ?? 0);
  v.setUint8(2, f.srcLen ?? 0);
  v.setUint8(3, f.tos ?? 0);
  v.setUint8(4, f.table ?? NL.RT_TABLE_MAIN);
  v.setUint8(5, f.protocol ?? NL.RTPROT_BOOT);
  v.setUint8(6, f.scope ?? NL.RT_SCOPE_UNIVERSE);
  v.setUint8(7, f.type ?? NL.RTN_UNICAST);
  v.setUint32(8, (f.flags ?? 0) >>> 0, true);
  return b;
}

/** One received netlink message. */
export interface IncomingMessage {
  /** nlmsg_type: an RTM_* value, or NLMSG_ERROR / NLMSG_DONE / NLMSG_NOOP. */
  type: number;
  /** nlmsg_flags: NLM_F_* bits, e.g. F_MULTI in a dump reply, F_ACK_TLVS / F_CAPPED in an ack. */
  flags: number;
  /** nlmsg_seq: the sequence number of the request this answers (0 for notifications). */
  seq: number;
  /** nlmsg_pid: the sender's port id; 0 when the kernel sent it. */
  pid: number;
  /** Everything after the nlmsghdr. */
  payload: Uint8Array;
}

/**
 * Splits a received datagram into messages (NLMSG_OK / NLMSG_NEXT).
 *
 * @throws Error on a truncated or malformed header (a kernel/ABI bug, not user input).
 */
export function parseMessages(buf: Uint8Array): IncomingMessage[] {
  const out: IncomingMessage[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = view.getUint32(off, true);
    if (len < NLMSG_HDRLEN || off + len > buf.length) throw new Error(`malformed netlink message at ${off} (length ${len})`);
    out.push({
      type: view.getUint16(off + 4, true),
      flags: view.getUint16(off + 6, true),
      seq: view.getUint32(off + 8, true),
      pid: view.getUint32(off + 12, true),
      payload: buf.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return out;
}

/** Parses rtattrs into a map from type (flag bits removed) to payload; the last one of a type wins. */
export function parseAttrs(buf: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = view.getUint16(off, true);
    if (len < 4 || off + len > buf.length) break;
    out.set(view.getUint16(off + 2, true) & NL.NLA_TYPE_MASK, buf.subarray(off + 4, off + len));
    off += align4(len);
  }
  return out;
}

/** Reads a NUL-terminated string attribute. */
export function attrToString(data: Uint8Array | undefined): string | undefined {
  if (!data) return undefined;
  const end = data.indexOf(0);
  return Buffer.from(data.buffer, data.byteOffset, end < 0 ? data.length : end).toString('utf8');
}

/** Reads a u32 attribute. */
export function attrToU32(data: Uint8Array | undefined): number | undefined {
  if (!data || data.length < 4) return undefined;
  return new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true);
}

/** The error of an NLMSG_ERROR payload: 0 for an ack, else a positive errno, and the kernel's extended-ack text. */
export function parseError(m: IncomingMessage): { errno: number; message?: string } {
  const view = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
  const errno = -view.getInt32(0, true);
  if (!(m.flags & NL.F_ACK_TLVS)) return { errno };
  // The echoed request: its header only when capped, else the whole request.
  const echoedLen = m.flags & NL.F_CAPPED ? NLMSG_HDRLEN : view.getUint32(4, true);
  const attrs = parseAttrs(m.payload.subarray(4 + align4(echoedLen)));
  const message = attrToString(attrs.get(NL.NLMSGERR_ATTR_MSG));
  return message ? { errno, message } : { errno };
}
