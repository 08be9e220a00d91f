import { BlockList, isIP } from 'node:net';
import type { PrivateAddressKind } from './errors.js';

/**
 * The address ranges a deployed stack never calls on a caller's behalf (SSRF):
 * from a Lambda function they reach the function's own host, its VPC, or the
 * instance metadata service (169.254.169.254, fd00:ec2::254). Checked in order;
 * the first match names the kind.
 */
const RANGES: readonly (readonly [string, number, 'ipv4' | 'ipv6', PrivateAddressKind])[] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link-local'],
];

/** One BlockList per kind. BlockList also matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against IPv4 rules. */
const LISTS: readonly (readonly [PrivateAddressKind, BlockList])[] = (() => {
  const byKind = new Map<PrivateAddressKind, BlockList>();
  for (const [network, prefix, family, kind] of RANGES) {
    const list = byKind.get(kind) ?? new BlockList();
    list.addSubnet(network, prefix, family);
    byKind.set(kind, list);
  }
  return [...byKind];
})();

/**
 * The kind of private address `address` is (an IP address, without brackets),
 * or undefined for a public one or something that is not an IP address.
 */
export function privateAddressKind(address: string): PrivateAddressKind | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of LISTS) if (list.check(address, type)) return kind;
  return undefined;
}

/** A URL's hostname as an IP address, brackets removed, when it is one. */
export function ipLiteralOf(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : undefined;
}

/**
 * True for a host that is the machine itself before any DNS lookup: an IP
 * loopback literal, `localhost` or a name under it (RFC 6761 keeps them local).
 */
export function isLoopbackHost(hostname: string): boolean {
  const literal = ipLiteralOf(hostname);
  if (literal !== undefined) return privateAddressKind(literal) === 'loopback';
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}
