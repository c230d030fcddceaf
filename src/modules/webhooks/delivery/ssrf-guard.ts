/**
 * Where webhook deliveries may go: public unicast addresses only, over https, on port 80, 443
 * or 1024–65535.
 *
 * A URL is checked twice: at registration as written (checkWebhookUrl), and at connect time on
 * every address its hostname resolves to (guardedLookup), because DNS answers change between the
 * two (DNS rebinding). Node never calls `lookup` for an IP-literal host, so a sender must run
 * checkWebhookUrl again before each request; postWithGuard does both.
 *
 * Ports below 1024 other than 80 and 443 are refused so the gateway cannot be aimed at SSH, SMTP
 * or other privileged services on public hosts; every HTTP receiver we know of runs on 80, 443 or
 * an unprivileged port.
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** What deliveries may reach beyond public https endpoints. Both false in production. */
export interface OutboundPolicy {
  /** Allows `http://` URLs; tests turn it on for a local receiver. */
  readonly isPlainHttpAllowed: boolean;
  /**
   * Allows loopback, RFC 1918, carrier-grade NAT and IPv6 unique-local addresses, and local
   * names (`localhost`, single-label hosts); tests turn it on for a local receiver. Link-local
   * and metadata, unspecified, multicast, broadcast and reserved addresses stay refused.
   */
  readonly isPrivateNetworkAllowed: boolean;
}

export const productionOutboundPolicy: OutboundPolicy = Object.freeze({
  isPlainHttpAllowed: false,
  isPrivateNetworkAllowed: false,
});

/** A destination the gateway refuses to send to; `reason` is one line, fit for the API user. */
export class UnsafeUrlError extends Error {
  override readonly name = 'UnsafeUrlError';

  constructor(readonly reason: string) {
    super(reason);
  }
}

interface AddressRefusal {
  /** Completes "<address> is …". */
  readonly reason: string;
  /** Allowed by `isPrivateNetworkAllowed`. */
  readonly isPrivateNetwork: boolean;
}

const refusedAlways = (reason: string): AddressRefusal => ({ reason, isPrivateNetwork: false });
const refusedUnlessPrivateAllowed = (reason: string): AddressRefusal => ({ reason, isPrivateNetwork: true });

const ipv4RangeRefusals: Readonly<Record<string, AddressRefusal>> = {
  unspecified: refusedAlways('in 0.0.0.0/8, the unspecified range'),
  broadcast: refusedAlways('the broadcast address'),
  multicast: refusedAlways('a multicast address (224.0.0.0/4)'),
  linkLocal: refusedAlways('a link-local address (169.254.0.0/16), where cloud metadata services live'),
  reserved: refusedAlways('in a reserved, documentation or benchmarking range (240.0.0.0/4, 198.18.0.0/15, …)'),
  loopback: refusedUnlessPrivateAllowed('a loopback address (127.0.0.0/8)'),
  private: refusedUnlessPrivateAllowed('a private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)'),
  carrierGradeNat: refusedUnlessPrivateAllowed('a carrier-grade NAT address (100.64.0.0/10)'),
};

const ipv6RangeRefusals: Readonly<Record<string, AddressRefusal>> = {
  unspecified: refusedAlways('the unspecified address ::'),
  linkLocal: refusedAlways('a link-local address (fe80::/10)'),
  deprecatedSiteLocal: refusedAlways('a site-local address (fec0::/10)'),
  multicast: refusedAlways('a multicast address (ff00::/8)'),
  discard: refusedAlways('in the discard range 100::/64'),
  rfc6145: refusedAlways('an IPv4-translated address (::ffff:0:0:0/96)'),
  rfc6052: refusedAlways('a local-use NAT64 address (64:ff9b:1::/48)'),
  '6to4': refusedAlways('a 6to4 address (2002::/16), which embeds an IPv4 address'),
  teredo: refusedAlways('a Teredo address (2001::/32), which embeds an IPv4 address'),
  reserved: refusedAlways('in a reserved or documentation range (2001::/23, 2001:db8::/32, 3fff::/20)'),
  loopback: refusedUnlessPrivateAllowed('the loopback address ::1'),
  uniqueLocal: refusedUnlessPrivateAllowed('a unique-local address (fc00::/7)'),
};

const cloudMetadataAddresses = ['169.254.169.254', 'fd00:ec2::254'].map((text) => ipaddr.parse(text));
const ipv6GlobalUnicast = ipaddr.parseCIDR('2000::/3');
const ipv4CompatibleRange = ipaddr.parseCIDR('::/96');
const nat64WellKnownRange = ipaddr.parseCIDR('64:ff9b::/96');

/** Only the forms resolvers return: dotted quads, and IPv6 without a zone or octal-looking tail. */
function parseStrictAddress(text: string): IpAddress | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
  const dottedTail = text.includes('.') ? text.slice(text.lastIndexOf(':') + 1) : undefined;
  const isTailStrict = dottedTail === undefined || ipaddr.IPv4.isValidFourPartDecimal(dottedTail);
  return isTailStrict ? ipaddr.IPv6.parse(text) : undefined;
}

function isSameAddress(left: IpAddress, right: IpAddress): boolean {
  return left.kind() === right.kind() && left.toNormalizedString() === right.toNormalizedString();
}

function lowIpv4Of(address: ipaddr.IPv6): ipaddr.IPv4 {
  const [high = 0, low = 0] = address.parts.slice(6);
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function refuseIpv4(address: ipaddr.IPv4): AddressRefusal | undefined {
  const range = address.range();
  if (range === 'unicast') return undefined;
  return ipv4RangeRefusals[range] ?? refusedAlways(`in the special-purpose range "${range}"`);
}

function refuseEmbeddedIpv4(form: string, embedded: ipaddr.IPv4): AddressRefusal | undefined {
  const refusal = findAddressRefusal(embedded);
  return refusal && { ...refusal, reason: `${form} of ${embedded.toString()}, which is ${refusal.reason}` };
}

function refuseIpv6(address: ipaddr.IPv6): AddressRefusal | undefined {
  // Dual-stack lookups and DNS64 hand out these forms for IPv4 hosts: judge the IPv4 host.
  if (address.isIPv4MappedAddress()) return refuseEmbeddedIpv4('an IPv4-mapped address', address.toIPv4Address());
  if (address.match(nat64WellKnownRange)) return refuseEmbeddedIpv4('a NAT64 address', lowIpv4Of(address));
  const range = address.range();
  if (range === 'unicast') {
    if (address.match(ipv4CompatibleRange)) return refusedAlways('a deprecated IPv4-compatible address (::/96)');
    if (address.match(ipv6GlobalUnicast)) return undefined;
    return refusedAlways('outside the global unicast range 2000::/3');
  }
  return ipv6RangeRefusals[range] ?? refusedAlways(`in the special-purpose range "${range}"`);
}

function findAddressRefusal(address: IpAddress): AddressRefusal | undefined {
  if (cloudMetadataAddresses.some((metadata) => isSameAddress(address, metadata))) {
    return refusedAlways('a cloud metadata service address');
  }
  return address instanceof ipaddr.IPv4 ? refuseIpv4(address) : refuseIpv6(address);
}

function findRefusalUnder(policy: OutboundPolicy, address: IpAddress): AddressRefusal | undefined {
  const refusal = findAddressRefusal(address);
  return refusal?.isPrivateNetwork && policy.isPrivateNetworkAllowed ? undefined : refusal;
}

/**
 * Whether a socket may connect to this address under the production policy: a public unicast
 * IPv4 or IPv6 address (IPv4-mapped and NAT64 forms are judged by the IPv4 address they carry).
 * False for anything that is not a plain dotted quad or standard IPv6 text.
 */
export function isPublicAddress(address: string): boolean {
  const parsed = parseStrictAddress(address);
  return parsed !== undefined && findAddressRefusal(parsed) === undefined;
}

const maxUrlLength = 2048;
const firstUnprivilegedPort = 1024;
const privilegedPortsAllowed = new Set([80, 443]);
/** RFC 6761 localhost, RFC 6762 mDNS, ICANN's private-use .internal, RFC 8375 home.arpa. */
const localNameSuffixes = ['localhost', 'local', 'internal', 'home.arpa'];
/** Address forms nobody registers on purpose; refused at registration whatever they embed. */
const ipv4EmbeddingRanges: Readonly<Record<string, string>> = {
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  rfc6145: 'an IPv4-translated IPv6 address',
  rfc6052: 'a NAT64 IPv6 address',
  '6to4': 'a 6to4 IPv6 address',
  teredo: 'a Teredo IPv6 address',
};

function refuse(reason: string): never {
  throw new UnsafeUrlError(reason);
}

function checkScheme(url: URL, policy: OutboundPolicy): void {
  if (url.protocol === 'https:') return;
  if (url.protocol !== 'http:') refuse(`scheme "${url.protocol}" is not allowed; use https`);
  if (!policy.isPlainHttpAllowed) refuse('plain http is not allowed; use https');
}

function checkPort(url: URL): void {
  if (url.port === '') return;
  const port = Number(url.port);
  if (port < firstUnprivilegedPort && !privilegedPortsAllowed.has(port)) {
    refuse(`port ${port} is not allowed; use 80, 443 or a port from 1024 to 65535`);
  }
}

function checkIpv6Literal(hostname: string, policy: OutboundPolicy): void {
  const address = ipaddr.IPv6.parse(hostname.slice(1, -1));
  const isIpv4Compatible = address.range() === 'unicast' && address.match(ipv4CompatibleRange);
  const embeddingForm = isIpv4Compatible ? 'an IPv4-compatible IPv6 address' : ipv4EmbeddingRanges[address.range()];
  if (embeddingForm !== undefined) {
    refuse(`host ${hostname} is ${embeddingForm}; register the IPv4 address or a hostname instead`);
  }
  const refusal = findRefusalUnder(policy, address);
  if (refusal) refuse(`host ${hostname} is ${refusal.reason}`);
}

/** The URL parser also reads `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1` and `%31…` as IPv4. */
function checkIpv4Literal(hostname: string, writtenHost: string, policy: OutboundPolicy): void {
  if (writtenHost !== hostname) {
    refuse(`host "${writtenHost}" is an IPv4 address (${hostname}) not written as four decimal numbers`);
  }
  const refusal = findRefusalUnder(policy, ipaddr.IPv4.parse(hostname));
  if (refusal) refuse(`host ${hostname} is ${refusal.reason}`);
}

function checkDomainName(hostname: string, policy: OutboundPolicy): void {
  if (policy.isPrivateNetworkAllowed) return;
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  const localSuffix = localNameSuffixes.find((suffix) => name === suffix || name.endsWith(`.${suffix}`));
  if (localSuffix !== undefined) refuse(`host "${hostname}" is a local name (${localSuffix})`);
  if (!name.includes('.')) {
    refuse(`host "${hostname}" is a single-label name, resolved through local search domains; use a fully qualified name`);
  }
}

function checkHost(url: URL, authority: string, policy: OutboundPolicy): void {
  const hostname = url.hostname;
  if (hostname.startsWith('[')) return checkIpv6Literal(hostname, policy);
  const writtenHost = authority.replace(/:[^:\]]*$/, '');
  if (ipaddr.IPv4.isValidFourPartDecimal(hostname)) return checkIpv4Literal(hostname, writtenHost, policy);
  checkDomainName(hostname, policy);
}

/**
 * Registration-time check of a webhook endpoint URL. Returns the parsed URL (host lowercased and
 * IDNA-mapped, default port dropped) or throws UnsafeUrlError. Surrounding whitespace is ignored.
 * Hostnames are not resolved here: connect through guardedLookup for that.
 */
export function checkWebhookUrl(text: string, policy: OutboundPolicy): URL {
  const trimmed = text.trim();
  if (trimmed.length > maxUrlLength) refuse(`the URL is longer than ${maxUrlLength} characters`);
  // Parsers disagree on backslashes and silently drop tabs and newlines: refuse rather than guess.
  if (/[\s\\\p{Cc}]/u.test(trimmed)) refuse('the URL contains whitespace, a control character or a backslash');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return refuse('the text is not an absolute URL');
  }
  checkScheme(url, policy);
  const authority = /^https?:\/\/([^/?#]+)/i.exec(trimmed)?.[1];
  if (authority === undefined) refuse(`the URL must start with ${url.protocol}// followed by a host`);
  if (authority.includes('@')) refuse('the URL contains credentials (user:password@); send secrets in headers');
  checkPort(url);
  checkHost(url, authority, policy);
  if (trimmed.includes('#')) refuse('the URL has a #fragment, which is never sent to the server');
  return url;
}

/** Resolves every address of a hostname; dns.lookup in production, a stub in tests. */
export type ResolveHostname = (hostname: string, options: dns.LookupOptions) => Promise<dns.LookupAddress[]>;

const resolveWithSystem: ResolveHostname = (hostname, options) =>
  dns.promises.lookup(hostname, { ...options, all: true });

function lookupError(code: string, hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, hostname });
}

/**
 * A `lookup` for http(s).request, net.connect or an undici connector: resolves the hostname and
 * refuses the connection with UnsafeUrlError when any answer is not allowed by the policy. A
 * name with even one private answer is refused outright, being a misconfiguration or a rebinding
 * attempt. Supports both `all: true` (Happy Eyeballs, Node's default) and single-address calls.
 */
export function guardedLookup(
  policy: OutboundPolicy,
  resolveHostname: ResolveHostname = resolveWithSystem,
): LookupFunction {
  return (hostname, options, callback) => {
    resolveHostname(hostname, options).then(
      (answers) => {
        for (const { address } of answers) {
          const parsed = parseStrictAddress(address);
          const refusal = parsed ? findRefusalUnder(policy, parsed) : refusedAlways('not an IP address');
          if (refusal) return callback(new UnsafeUrlError(`host "${hostname}" resolved to ${address}, which is ${refusal.reason}`), '');
        }
        const [first] = answers;
        if (first === undefined) return callback(lookupError('ENOTFOUND', hostname), '');
        return options.all ? callback(null, answers) : callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
