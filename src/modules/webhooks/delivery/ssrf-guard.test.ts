import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress, LookupOptions } from 'node:dns';
import {
  checkWebhookUrl,
  guardedLookup,
  isPublicAddress,
  productionOutboundPolicy,
  UnsafeUrlError,
  type OutboundPolicy,
  type ResolveHostname,
} from './ssrf-guard';

const localTestPolicy: OutboundPolicy = { isPlainHttpAllowed: true, isPrivateNetworkAllowed: true };
const plainHttpOnlyPolicy: OutboundPolicy = { isPlainHttpAllowed: true, isPrivateNetworkAllowed: false };

function reasonForRefusing(url: string, policy: OutboundPolicy = productionOutboundPolicy): string {
  try {
    checkWebhookUrl(url, policy);
  } catch (error) {
    if (error instanceof UnsafeUrlError) return error.reason;
    throw error;
  }
  throw new Error(`${url} was accepted`);
}

/** Calls a lookup function the way net.connect does and returns what it called back with. */
function lookUp(lookup: ReturnType<typeof guardedLookup>, hostname: string, options: LookupOptions) {
  return new Promise<{ address: string | LookupAddress[]; family?: number }>((resolve, reject) => {
    lookup(hostname, options, (error, address, family) => (error ? reject(error) : resolve({ address, family })));
  });
}

const resolvingTo =
  (...addresses: string[]): ResolveHostname =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('checkWebhookUrl', () => {
  it('accepts a public https URL and returns it parsed, host lowercased and default port dropped', () => {
    expect(checkWebhookUrl('https://example.com/hooks', productionOutboundPolicy).href).toBe('https://example.com/hooks');
    expect(checkWebhookUrl('  HTTPS://Example.COM:443/hooks?x=1 ', productionOutboundPolicy).href).toBe(
      'https://example.com/hooks?x=1',
    );
  });

  it.each(['https://93.184.215.14/hooks', 'https://[2606:4700:4700::1111]/hooks', 'https://example.com./hooks'])(
    'accepts the public host in %s',
    (url) => {
      expect(() => checkWebhookUrl(url, productionOutboundPolicy)).not.toThrow();
    },
  );

  it.each([80, 443, 1024, 8443, 65535])('accepts port %d', (port) => {
    expect(() => checkWebhookUrl(`https://example.com:${port}/`, productionOutboundPolicy)).not.toThrow();
  });

  describe('under the production policy', () => {
    it.each([
      // Schemes
      ['ftp://example.com/', /scheme "ftp:" is not allowed/],
      ['file:///etc/passwd', /scheme "file:" is not allowed/],
      ['javascript:alert(1)', /scheme "javascript:" is not allowed/],
      ['gopher://example.com/', /scheme "gopher:" is not allowed/],
      ['wss://example.com/', /scheme "wss:" is not allowed/],
      ['http://example.com/hooks', /plain http is not allowed/],
      // Shape of the text
      ['', /not an absolute URL/],
      ['example.com/hooks', /not an absolute URL/],
      ['https:example.com/hooks', /must start with https:\/\/ followed by a host/],
      ['https:/example.com/hooks', /must start with https:\/\/ followed by a host/],
      ['https:///example.com/hooks', /must start with https:\/\/ followed by a host/],
      ['https://example.com\\@127.0.0.1/', /backslash/],
      ['https://exa\tmple.com/', /whitespace, a control character/],
      ['https://example.com/a b', /whitespace, a control character/],
      [`https://example.com/${'a'.repeat(2048)}`, /longer than 2048 characters/],
      ['https://example.com/hooks#section', /#fragment/],
      ['https://example.com/hooks#', /#fragment/],
      // Credentials
      ['https://user:secret@example.com/', /credentials/],
      ['https://user@example.com/', /credentials/],
      ['https://@example.com/', /credentials/],
      // Ports
      ['https://example.com:22/', /port 22 is not allowed/],
      ['https://example.com:25/', /port 25 is not allowed/],
      ['https://example.com:0/', /port 0 is not allowed/],
      ['https://example.com:1023/', /port 1023 is not allowed/],
      // IPv4 in encodings other than four decimal numbers, public ones included
      ['https://2130706433/', /"2130706433" is an IPv4 address \(127\.0\.0\.1\) not written as four decimal numbers/],
      ['https://0x7f.1/', /"0x7f\.1" is an IPv4 address \(127\.0\.0\.1\)/],
      ['https://0x7f000001/', /"0x7f000001" is an IPv4 address \(127\.0\.0\.1\)/],
      ['https://0177.0.0.1/', /"0177\.0\.0\.1" is an IPv4 address \(127\.0\.0\.1\)/],
      ['https://010.0.0.1/', /"010\.0\.0\.1" is an IPv4 address \(8\.0\.0\.1\)/],
      ['https://127.1/', /"127\.1" is an IPv4 address \(127\.0\.0\.1\)/],
      ['https://127.0.0.1./', /"127\.0\.0\.1\." is an IPv4 address \(127\.0\.0\.1\)/],
      ['https://%31%32%37.0.0.1/', /is an IPv4 address \(127\.0\.0\.1\)/],
      ['https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/', /is an IPv4 address \(127\.0\.0\.1\)/],
      ['https://0/', /"0" is an IPv4 address \(0\.0\.0\.0\)/],
      ['https://134744072/', /"134744072" is an IPv4 address \(8\.8\.8\.8\)/],
      // IPv4 literals
      ['https://127.0.0.1/', /127\.0\.0\.1 is a loopback address/],
      ['https://127.255.255.254/', /is a loopback address/],
      ['https://0.0.0.0/', /0\.0\.0\.0 is in 0\.0\.0\.0\/8, the unspecified range/],
      ['https://0.1.2.3/', /the unspecified range/],
      ['https://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata service address/],
      ['https://169.254.1.1/', /is a link-local address/],
      ['https://10.0.0.1/', /is a private address/],
      ['https://172.16.0.1/', /is a private address/],
      ['https://172.31.255.255/', /is a private address/],
      ['https://192.168.1.1/', /is a private address/],
      ['https://100.64.0.1/', /is a carrier-grade NAT address/],
      ['https://224.0.0.1/', /is a multicast address/],
      ['https://239.255.255.250/', /is a multicast address/],
      ['https://240.0.0.1/', /is in a reserved, documentation or benchmarking range/],
      ['https://198.18.0.1/', /is in a reserved, documentation or benchmarking range/],
      ['https://192.0.2.1/', /is in a reserved, documentation or benchmarking range/],
      ['https://255.255.255.255/', /is the broadcast address/],
      // IPv6 literals
      ['https://[::1]/', /\[::1\] is the loopback address ::1/],
      ['https://[0:0:0:0:0:0:0:1]/', /\[::1\] is the loopback address/],
      ['https://[::]/', /is the unspecified address/],
      ['https://[fe80::1]/', /is a link-local address \(fe80::\/10\)/],
      ['https://[fc00::1]/', /is a unique-local address/],
      ['https://[fd12:3456::1]/', /is a unique-local address/],
      ['https://[fd00:ec2::254]/', /is a cloud metadata service address/],
      ['https://[fec0::1]/', /is a site-local address/],
      ['https://[ff02::1]/', /is a multicast address/],
      ['https://[2001:db8::1]/', /is in a reserved or documentation range/],
      ['https://[100::1]/', /is in the discard range/],
      ['https://[4000::1]/', /is outside the global unicast range 2000::\/3/],
      ['https://[::ffff:127.0.0.1]/', /\[::ffff:7f00:1\] is an IPv4-mapped IPv6 address/],
      ['https://[::ffff:7f00:1]/', /is an IPv4-mapped IPv6 address/],
      ['https://[::ffff:8.8.8.8]/', /is an IPv4-mapped IPv6 address; register the IPv4 address/],
      ['https://[::127.0.0.1]/', /is an IPv4-compatible IPv6 address/],
      ['https://[::ffff:0:7f00:1]/', /is an IPv4-translated IPv6 address/],
      ['https://[64:ff9b::a00:1]/', /is a NAT64 IPv6 address/],
      ['https://[64:ff9b::8.8.8.8]/', /is a NAT64 IPv6 address/],
      ['https://[2002:7f00:1::1]/', /is a 6to4 IPv6 address/],
      ['https://[2001:0:4136:e378::1]/', /is a Teredo IPv6 address/],
      // Names
      ['https://localhost/', /"localhost" is a local name \(localhost\)/],
      ['https://LOCALHOST:8443/', /"localhost" is a local name/],
      ['https://localhost./', /"localhost\." is a local name/],
      ['https://api.localhost/', /"api\.localhost" is a local name \(localhost\)/],
      ['https://printer.local/', /is a local name \(local\)/],
      ['https://metadata.google.internal/', /is a local name \(internal\)/],
      ['https://nas.home.arpa/', /is a local name \(home\.arpa\)/],
      ['https://intranet/', /"intranet" is a single-label name/],
    ])('refuses %s', (url, reason) => {
      const refusal = reasonForRefusing(url);
      expect(refusal).toMatch(reason);
      expect(refusal).not.toContain('\n');
    });
  });

  it('allows plain http and private hosts only when the policy allows them', () => {
    expect(checkWebhookUrl('http://127.0.0.1:48123/hooks', localTestPolicy).href).toBe('http://127.0.0.1:48123/hooks');
    expect(checkWebhookUrl('http://localhost:3000/', localTestPolicy).hostname).toBe('localhost');
    expect(checkWebhookUrl('http://[::1]:3000/', localTestPolicy).hostname).toBe('[::1]');
    expect(checkWebhookUrl('http://receiver:3000/', localTestPolicy).hostname).toBe('receiver');
    expect(() => checkWebhookUrl('https://10.1.2.3/', localTestPolicy)).not.toThrow();
    expect(reasonForRefusing('http://127.0.0.1:48123/', plainHttpOnlyPolicy)).toMatch(/loopback/);
    expect(reasonForRefusing('http://example.com/', { isPlainHttpAllowed: false, isPrivateNetworkAllowed: true })).toMatch(
      /plain http/,
    );
  });

  it.each([
    ['https://169.254.169.254/', /cloud metadata/],
    ['https://[fd00:ec2::254]/', /cloud metadata/],
    ['https://169.254.1.1/', /link-local/],
    ['https://0.0.0.0/', /unspecified/],
    ['https://224.0.0.1/', /multicast/],
    ['https://2130706433/', /not written as four decimal numbers/],
    ['https://[::ffff:127.0.0.1]/', /IPv4-mapped/],
  ])('still refuses %s when private networks are allowed', (url, reason) => {
    expect(reasonForRefusing(url, localTestPolicy)).toMatch(reason);
  });
});

describe('isPublicAddress', () => {
  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'admits %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  it.each([
    '127.0.0.1',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '64:ff9b::7f00:1',
    '64:ff9b:1::808:808',
    '::7f00:1',
    '169.254.169.254',
    'fd00:ec2::254',
    '10.1.2.3',
    '100.64.0.1',
    'fe80::1',
    'fe80::1%eth0',
    '2001:db8::1',
    '3fff::1',
    '2002:808:808::1',
    '0.0.0.0',
    '::',
    '010.0.0.1',
    '::ffff:010.0.0.1',
    '127.1',
    '0x7f000001',
    '2130706433',
    'example.com',
    '',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe('guardedLookup', () => {
  it('refuses localhost, which the system resolves to loopback, under the production policy', async () => {
    const refusal = lookUp(guardedLookup(productionOutboundPolicy), 'localhost', { all: true });
    await expect(refusal).rejects.toThrow(UnsafeUrlError);
    await expect(refusal).rejects.toThrow(/host "localhost" resolved to (127\.0\.0\.1|::1), which is .*loopback/);
  });

  it('returns the addresses of localhost when private networks are allowed, in both lookup forms', async () => {
    const lookup = guardedLookup(localTestPolicy);
    const all = await lookUp(lookup, 'localhost', { all: true });
    expect(all.address).toEqual(expect.arrayContaining([expect.objectContaining({ address: expect.any(String) })]));
    const single = await lookUp(lookup, 'localhost', { family: 4 });
    expect(single).toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('passes public answers through unchanged', async () => {
    const lookup = guardedLookup(productionOutboundPolicy, resolvingTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'));
    await expect(lookUp(lookup, 'example.com', { all: true })).resolves.toEqual({
      address: [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ],
      family: undefined,
    });
    await expect(lookUp(lookup, 'example.com', {})).resolves.toEqual({ address: '93.184.215.14', family: 4 });
  });

  it('refuses a name when any one of its answers is private, as a rebinding service would answer', async () => {
    const lookup = guardedLookup(productionOutboundPolicy, resolvingTo('93.184.215.14', '10.0.0.7'));
    await expect(lookUp(lookup, 'rebind.example.net', { all: true })).rejects.toThrow(
      'host "rebind.example.net" resolved to 10.0.0.7, which is a private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)',
    );
  });

  it('refuses the metadata address even when private networks are allowed', async () => {
    const lookup = guardedLookup(localTestPolicy, resolvingTo('169.254.169.254'));
    await expect(lookUp(lookup, 'metadata.example.net', {})).rejects.toThrow(/cloud metadata service address/);
  });

  it('judges IPv4-mapped answers by the IPv4 address they carry', async () => {
    const lookup = guardedLookup(productionOutboundPolicy, resolvingTo('::ffff:127.0.0.1'));
    await expect(lookUp(lookup, 'mapped.example.net', { family: 6 })).rejects.toThrow(
      /an IPv4-mapped address of 127\.0\.0\.1, which is a loopback address/,
    );
  });

  it('passes resolver failures through and treats an empty answer as not found', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example.net'), { code: 'ENOTFOUND' });
    const failing = guardedLookup(productionOutboundPolicy, () => Promise.reject(notFound));
    await expect(lookUp(failing, 'nowhere.example.net', {})).rejects.toBe(notFound);
    const empty = guardedLookup(productionOutboundPolicy, resolvingTo());
    await expect(lookUp(empty, 'empty.example.net', {})).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  describe('as the lookup option of http.request', () => {
    let server: http.Server;
    let port: number;
    let connectionCount = 0;

    beforeAll(async () => {
      server = http.createServer((_request, response) => response.end('ok'));
      server.on('connection', () => (connectionCount += 1));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    const getLocalhost = (policy: OutboundPolicy) =>
      new Promise<number | undefined>((resolve, reject) => {
        const request = http.get({ host: 'localhost', port, family: 4, agent: false, lookup: guardedLookup(policy) }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode));
        });
        request.on('error', reject);
      });

    it('refuses to connect to localhost under the production policy, so the server sees no connection', async () => {
      const connectionsBefore = connectionCount;
      await expect(getLocalhost(productionOutboundPolicy)).rejects.toThrow(UnsafeUrlError);
      expect(connectionCount).toBe(connectionsBefore);
    });

    it('connects to localhost when private networks are allowed', async () => {
      await expect(getLocalhost(localTestPolicy)).resolves.toBe(200);
    });
  });
});
