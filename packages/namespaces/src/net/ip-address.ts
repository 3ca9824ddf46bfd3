import { isIPv4, isIPv6 } from 'node:net';
import { invalidArgument } from '@kc/native';
import { NamespaceError } from '../errors.js';
import { NL } from './netlink-message.js';

/** A parsed address with prefix: family, bytes in network order, prefix length. */
export interface Cidr {
  /** `NL.AF_INET` (2) for IPv4, `NL.AF_INET6` (10) for IPv6. */
  family: typeof NL.AF_INET | typeof NL.AF_INET6;
  /** The address part as written, without the prefix (`10.0.0.1`, `fd00::1`). */
  address: string;
  /** The address in network byte order: 4 bytes for IPv4, 16 for IPv6. */
  bytes: Uint8Array;
  /** Prefix length in bits: 0..32 for IPv4, 0..128 for IPv6; the full length when none was written. */
  prefix: number;
}

/**
 * Parses `10.0.0.1/24`, `fd00::1/64` or a bare address (full-length prefix).
 *
 * @throws {@link NamespaceError} `INVALID_ARGUMENT`.
 * @example
 * ```ts
 * parseCidr('10.200.0.1/24').prefix === 24;
 * ```
 */
export function parseCidr(text: string, field = 'address'): Cidr {
  if (typeof text !== 'string') throw invalidArgument(NamespaceError, field, 'an address is required');
  const [addr, prefixText, extra] = text.split('/');
  if (extra !== undefined || addr === undefined) throw invalidArgument(NamespaceError, field, `${JSON.stringify(text)} is not ADDRESS[/PREFIX]`);
  const v4 = isIPv4(addr);
  if (!v4 && !isIPv6(addr)) throw invalidArgument(NamespaceError, field, `${JSON.stringify(addr)} is not an IPv4 or IPv6 address`);
  const max = v4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
    throw invalidArgument(NamespaceError, field, `prefix ${prefixText} is not 0..${max}`);
  }
  return { family: v4 ? NL.AF_INET : NL.AF_INET6, address: addr, bytes: v4 ? ipv4Bytes(addr) : ipv6Bytes(addr), prefix };
}

function ipv4Bytes(a: string): Uint8Array {
  return Uint8Array.from(a.split('.').map(Number));
}

function ipv6Bytes(a: string): Uint8Array {
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  let text = a.split('%')[0] as string;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4Bytes(v4[1] as string);
    text = `${text.slice(0, v4.index)}${(((b[0] as number) << 8) | (b[1] as number)).toString(16)}:${(((b[2] as number) << 8) | (b[3] as number)).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

/** Formats address bytes (4 or 16) as text. */
export function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  // Collapse the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
