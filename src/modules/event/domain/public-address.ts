import ipaddr from 'ipaddr.js';

/**
 * Whether `address` (an IPv4 or IPv6 literal) is a public unicast address that a webhook may be
 * sent to. Everything else is refused: private, loopback, link-local, unique-local, carrier-grade
 * NAT, multicast, reserved and documentation ranges, and IPv6 forms that embed an IPv4 address
 * (IPv4-mapped ones are judged as the IPv4 address they carry; 6to4, Teredo and NAT64 are refused).
 */
export function isPublicAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // A zone index (fe80::1%eth0) only ever names a link-local address.
  if (bare.includes('%') || !ipaddr.isValid(bare)) return false;
  return ipaddr.process(bare).range() === 'unicast';
}

/** Whether `host` (a URL's hostname) is an IP literal rather than a name to resolve. */
export function isIpLiteral(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare));
}
