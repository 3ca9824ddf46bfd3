import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NamespaceError } from '../errors.js';
import { formatAddress, parseCidr } from './ip-address.js';
import { validateInterfaceName } from './names.js';
import {
  attrNested,
  attrString,
  attrToString,
  attrToU32,
  attrU32,
  encodeAttrs,
  encodeMessage,
  ifinfomsg,
  NL,
  parseAttrs,
  parseError,
  parseMessages,
} from './netlink-message.js';

describe('netlink messages', () => {
  it('encodes nlmsghdr + ifinfomsg + aligned attributes', () => {
    const msg = encodeMessage({
      type: NL.RTM_NEWLINK,
      flags: NL.F_REQUEST | NL.F_ACK,
      seq: 7,
      body: ifinfomsg({ index: 3, flags: 1, change: 1 }),
      attrs: [attrString(NL.IFLA_IFNAME, 'eth0')],
    });
    const v = new DataView(msg.buffer);
    expect(msg.length).toBe(16 + 16 + 12); // "eth0\0" = 5 bytes + 4 header = 9, padded to 12
    expect(v.getUint32(0, true)).toBe(msg.length);
    expect(v.getUint16(4, true)).toBe(16);
    expect(v.getUint16(6, true)).toBe(5);
    expect(v.getUint32(8, true)).toBe(7);
    expect(v.getInt32(20, true)).toBe(3);
    expect(v.getUint16(32, true)).toBe(9); // rta_len excludes padding
    expect(v.getUint16(34, true)).toBe(NL.IFLA_IFNAME);
  });

  it('round-trips nested attributes', () => {
    const bytes = encodeAttrs([attrNested(NL.IFLA_LINKINFO, [attrString(NL.IFLA_INFO_KIND, 'veth'), attrU32(9, 42)]), attrU32(NL.IFLA_MTU, 1500)]);
    const top = parseAttrs(bytes);
    expect(attrToU32(top.get(NL.IFLA_MTU))).toBe(1500);
    const inner = parseAttrs(top.get(NL.IFLA_LINKINFO) as Uint8Array);
    expect(attrToString(inner.get(NL.IFLA_INFO_KIND))).toBe('veth');
    expect(attrToU32(inner.get(9))).toBe(42);
  });

  it('splits datagrams and decodes errors with extended-ack text', () => {
    const req = encodeMessage({ type: NL.RTM_NEWLINK, flags: 0, seq: 1, body: ifinfomsg() });
    // NLMSG_ERROR: error -17, the capped request header, then NLMSGERR_ATTR_MSG.
    const errBody = new Uint8Array(4 + 16);
    new DataView(errBody.buffer).setInt32(0, -17, true);
    errBody.set(req.subarray(0, 16), 4);
    const text = new Uint8Array([...errBody, ...encodeAttrs([attrString(NL.NLMSGERR_ATTR_MSG, 'File exists')])]);
    const m1 = encodeMessage({ type: NL.NLMSG_ERROR, flags: NL.F_CAPPED | NL.F_ACK_TLVS, seq: 1, body: text });
    const m2 = encodeMessage({ type: NL.NLMSG_DONE, flags: 0, seq: 2, body: new Uint8Array(4) });
    const parsed = parseMessages(new Uint8Array([...m1, ...m2]));
    expect(parsed.map((m) => m.type)).toEqual([NL.NLMSG_ERROR, NL.NLMSG_DONE]);
    expect(parseError(parsed[0]!)).toEqual({ errno: 17, message: 'File exists' });
    expect(() => parseMessages(new Uint8Array([99, 0, 0, 0, ...new Uint8Array(12)]))).toThrow();
  });
});

describe('interface names and addresses', () => {
  it('rejects names over 15 bytes and invalid characters', () => {
    validateInterfaceName('kc123456789abcd');
    for (const bad of ['kc123456789abcde', 'a/b', 'a b', 'eth0:1', '.', '', 'ééééééééé']) {
      expect(() => validateInterfaceName(bad)).toThrow(NamespaceError);
    }
  });

  it('parses CIDRs and formats addresses', () => {
    expect(parseCidr('10.1.2.3/24')).toMatchObject({ family: NL.AF_INET, prefix: 24, bytes: Uint8Array.from([10, 1, 2, 3]) });
    expect(parseCidr('fd00::1').prefix).toBe(128);
    for (const bad of ['10.0.0.1/33', '10.0.0/8', 'fd00::1/129', '1.2.3.4/2/3', '1.2.3.4/x']) expect(() => parseCidr(bad)).toThrow(NamespaceError);
    expect(formatAddress(parseCidr('fd00:0:0:0:0:0:0:1').bytes)).toBe('fd00::1');
    expect(formatAddress(parseCidr('::ffff:1.2.3.4').bytes)).toBe('::ffff:102:304');
  });

  it('round-trips IPv6 text through bytes (property)', () => {
    fc.assert(
      fc.property(fc.ipV6(), (a) => {
        const bytes = parseCidr(a).bytes;
        expect(parseCidr(formatAddress(bytes)).bytes).toEqual(bytes);
      }),
    );
  });
});
