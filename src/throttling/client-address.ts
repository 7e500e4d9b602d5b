import { isIP } from 'node:net';

/**
 * The part of a client address that throttling counts by. An IPv4 address is itself. An
 * IPv6 client is its /64: one subscriber usually holds a whole /64 (SLAAC, privacy
 * addresses), so a limit keyed by the full address would be evaded by rotating within it.
 * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, as a dual-stack socket reports IPv4
 * clients) is the IPv4 address it maps. Anything else (not an IP address: a test's label,
 * a proxy's name) is counted as given.
 *
 * The text is canonicalised by the WHATWG URL parser (`new URL('http://[…]')`), which
 * expands `::`, embedded IPv4 and case the same way for every spelling of one address.
 *
 * @example `throttlingAddress('2001:DB8:0:0:1::7')` is `'2001:db8:0:0::/64'`.
 */
export function throttlingAddress(address: string): string {
  const withoutZone = address.trim().replace(/%.*$/u, '');
  if (isIP(withoutZone) !== 6) return address;
  const groups = ipv6Groups(withoutZone);
  if (groups === undefined) return address;
  if (isIpv4Mapped(groups)) {
    const [high, low] = [groups[6] ?? 0, groups[7] ?? 0];
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, or `undefined` when it does not parse. */
function ipv6Groups(address: string): number[] | undefined {
  let host: string;
  try {
    host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  // The URL form is only hex groups, with at most one `::` for the longest run of zeros.
  const [head = '', tail] = host.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g)) ? groups : undefined;
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
}
