/**
 * Which address a request comes from, and whether an API key's network allowlist admits it.
 *
 * All parsing goes through ipaddr.js, in its strict forms only: hand-rolled or lenient address
 * parsing is where allowlist and SSRF bugs live (inet_aton reads `010.0.0.1` as 8.0.0.1 and
 * `127.1` as 127.0.0.1).
 */
import ipaddr from 'ipaddr.js';

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** A network in canonical form: an IPv4-mapped IPv6 network is held as the IPv4 network. */
export interface ParsedCidr {
  readonly address: IpAddress;
  readonly prefixLength: number;
}

export class InvalidCidrError extends Error {
  override readonly name = 'InvalidCidrError';

  constructor(readonly text: string) {
    super(`"${text}" is not an IPv4 or IPv6 address or CIDR range`);
  }
}

/**
 * Which proxies may tell us the client's address through X-Forwarded-For, as Express's
 * `trust proxy`: none, the nearest `hops` proxies, or the proxies inside `cidrs`.
 */
export type TrustProxySetting =
  | { kind: 'none' }
  | { kind: 'hops'; hops: number }
  | { kind: 'cidrs'; cidrs: readonly string[] };

const IPV4_MAPPED_PREFIX_LENGTH = 96;

/** Accepts only the forms sockets and proxies write: dotted quads and standard IPv6. */
function parseStrictAddress(text: string): IpAddress | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

/** Dual-stack sockets report IPv4 clients as `::ffff:a.b.c.d`; they are the IPv4 client. */
function parseClientAddress(text: string): IpAddress | undefined {
  const address = parseStrictAddress(text);
  const isIpv4Mapped = address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress();
  return isIpv4Mapped ? address.toIPv4Address() : address;
}

/** Parses `address/prefix` or a single address (a /32 or /128 network). */
export function parseCidr(text: string): ParsedCidr {
  const [addressText = '', prefixText, ...extraParts] = text.split('/');
  const address = parseStrictAddress(addressText);
  if (address === undefined || extraParts.length > 0) throw new InvalidCidrError(text);
  const maxPrefixLength = address instanceof ipaddr.IPv4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) throw new InvalidCidrError(text);
  const prefixLength = prefixText === undefined ? maxPrefixLength : Number(prefixText);
  if (prefixLength > maxPrefixLength) throw new InvalidCidrError(text);
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()) {
    // Shorter than /96 the network reaches past the mapped range: `::ffff:10.0.0.0/8` is `::/8`,
    // loopback `::1` included, never the 10/8 its author meant. Refused rather than guessed.
    if (prefixLength < IPV4_MAPPED_PREFIX_LENGTH) throw new InvalidCidrError(text);
    return {
      address: address.toIPv4Address(),
      prefixLength: prefixLength - IPV4_MAPPED_PREFIX_LENGTH,
    };
  }
  return { address, prefixLength };
}

function isInsideNetwork(address: IpAddress, network: ParsedCidr): boolean {
  // ipaddr.js throws when matching across families; an IPv4 client is simply not in an IPv6 net.
  if (address.kind() !== network.address.kind()) return false;
  return address.match(network.address, network.prefixLength);
}

function isInsideAnyNetwork(ip: string, cidrs: readonly string[]): boolean {
  const address = parseClientAddress(ip);
  return address !== undefined && cidrs.some((cidr) => isInsideNetwork(address, parseCidr(cidr)));
}

/**
 * True when `ip` is inside one of the allowlist's networks, or when the allowlist is empty
 * (no restriction). An unparseable `ip` is never allowed by a non-empty list. Throws
 * InvalidCidrError for an invalid allowlist entry, so validate allowlists with parseCidr on save.
 */
export function isIpAllowed(ip: string, allowlist: readonly string[]): boolean {
  return allowlist.length === 0 || isInsideAnyNetwork(ip, allowlist);
}

function toCanonicalText(ip: string): string {
  return parseClientAddress(ip)?.toString() ?? ip;
}

/** Entries are appended by each proxy, so the rightmost entry is the nearest hop. */
function parseForwardedFor(forwardedFor: string | undefined): string[] {
  return (forwardedFor ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * The client's address, canonical (IPv4-mapped IPv6 becomes IPv4). X-Forwarded-For is read
 * from the right and only through trusted proxies, since anything left of them is whatever the
 * client chose to send. An unparseable address is returned as sent, and no allowlist admits it.
 */
export function resolveClientIp(
  socketAddress: string,
  forwardedFor: string | undefined,
  trustProxy: TrustProxySetting,
): string {
  if (trustProxy.kind === 'none') return toCanonicalText(socketAddress);
  const hopsNearestFirst = [socketAddress, ...parseForwardedFor(forwardedFor).reverse()];
  const farthestIndex = hopsNearestFirst.length - 1;
  let clientIndex: number;
  if (trustProxy.kind === 'hops') {
    clientIndex = Math.min(Math.max(trustProxy.hops, 0), farthestIndex);
  } else {
    const firstUntrusted = hopsNearestFirst.findIndex(
      (hop) => !isInsideAnyNetwork(hop, trustProxy.cidrs),
    );
    clientIndex = firstUntrusted === -1 ? farthestIndex : firstUntrusted;
  }
  return toCanonicalText(hopsNearestFirst[clientIndex] ?? socketAddress);
}

/**
 * Reads a trust-proxy setting from the environment:
 * - unset, '', 'false', '0': no proxy; X-Forwarded-For is ignored.
 * - 'true': one proxy. Express reads 'true' as "trust every hop", which makes the leftmost
 *   X-Forwarded-For entry the client: a value any client can forge to pass an allowlist.
 * - a positive integer: that many proxies in front of the gateway.
 * - comma-separated addresses or CIDRs: the networks of the proxies.
 */
export function parseTrustProxy(value: string | undefined): TrustProxySetting {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '' || text === 'false') return { kind: 'none' };
  if (text === 'true') return { kind: 'hops', hops: 1 };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops === 0 ? { kind: 'none' } : { kind: 'hops', hops };
  }
  const cidrs = text.split(',').map((entry) => entry.trim());
  for (const cidr of cidrs) {
    try {
      parseCidr(cidr);
    } catch {
      throw new Error(
        `trust proxy setting "${value}" is not true, false, a hop count or a comma-separated ` +
          `list of proxy addresses/CIDRs: "${cidr}" is not an IP address or CIDR range`,
      );
    }
  }
  return { kind: 'cidrs', cidrs };
}
