import {
  InvalidCidrError,
  isIpAllowed,
  parseCidr,
  parseTrustProxy,
  resolveClientIp,
} from './ip-allowlist';

describe('parseCidr', () => {
  it('reads a single IPv4 address as a /32 network', () => {
    const network = parseCidr('203.0.113.7');
    expect([network.address.toString(), network.prefixLength]).toEqual(['203.0.113.7', 32]);
  });

  it('reads a single IPv6 address as a /128 network', () => {
    const network = parseCidr('2001:db8::1');
    expect([network.address.toString(), network.prefixLength]).toEqual(['2001:db8::1', 128]);
  });

  it('turns an IPv4-mapped IPv6 network into the IPv4 network it maps', () => {
    const network = parseCidr('::ffff:10.0.0.0/104');
    expect([network.address.kind(), network.address.toString(), network.prefixLength]).toEqual([
      'ipv4',
      '10.0.0.0',
      8,
    ]);
  });

  it.each([
    ['an empty string', ''],
    ['a hostname', 'example.com'],
    ['an octal-looking quad that inet_aton would read as 8.0.0.1', '010.0.0.1'],
    ['a shortened quad that inet_aton would read as 127.0.0.1', '127.1'],
    ['a prefix longer than the address', '10.0.0.0/33'],
    ['an IPv6 prefix longer than 128', '2001:db8::/129'],
    ['a negative prefix', '10.0.0.0/-1'],
    ['an empty prefix', '10.0.0.0/'],
    ['two prefixes', '10.0.0.0/8/8'],
    ['an address with a port', '10.0.0.1:8080'],
    ['surrounding whitespace', ' 10.0.0.1'],
    ['trailing garbage after the prefix', '10.0.0.0/8x'],
    ['a prefix written in hex', '10.0.0.0/0x8'],
    ['an IPv4-mapped network shorter than /96, which reaches past the mapped range', '::ffff:10.0.0.0/8'],
    ['an IPv4-mapped network one bit shorter than /96', '::ffff:0.0.0.0/95'],
  ])('rejects %s with an InvalidCidrError naming the text', (_description, text) => {
    expect(() => parseCidr(text)).toThrow(InvalidCidrError);
    expect(() => parseCidr(text)).toThrow(`"${text}"`);
  });
});

describe('isIpAllowed', () => {
  it('allows any address, even an unparseable one, when the allowlist is empty', () => {
    expect([isIpAllowed('198.51.100.1', []), isIpAllowed('not an ip', [])]).toEqual([true, true]);
  });

  it('allows an address inside a listed network and refuses one outside it', () => {
    const allowlist = ['10.0.0.0/8', '2001:db8::/32'];
    expect(isIpAllowed('10.20.30.40', allowlist)).toBe(true);
    expect(isIpAllowed('2001:db8:1::5', allowlist)).toBe(true);
    expect(isIpAllowed('11.0.0.1', allowlist)).toBe(false);
    expect(isIpAllowed('2001:db9::1', allowlist)).toBe(false);
  });

  it('matches an IPv4-mapped client address against an IPv4 network', () => {
    expect(isIpAllowed('::ffff:10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(isIpAllowed('::ffff:11.1.2.3', ['10.0.0.0/8'])).toBe(false);
  });

  it('matches an IPv4 client address against an IPv4-mapped network', () => {
    expect(isIpAllowed('192.0.2.9', ['::ffff:192.0.2.0/120'])).toBe(true);
  });

  it('never puts an IPv4 client inside a plain IPv6 network, even ::/0', () => {
    expect(isIpAllowed('192.0.2.9', ['::/0'])).toBe(false);
  });

  it.each(['not an ip', '', '010.0.0.1', '10.0.0.1:443'])(
    'refuses the unparseable client address %j',
    (ip) => {
      expect(isIpAllowed(ip, ['0.0.0.0/0', '::/0'])).toBe(false);
    },
  );

  it('throws on an invalid allowlist entry rather than silently skipping it', () => {
    expect(() => isIpAllowed('10.0.0.1', ['10.0.0.0/99'])).toThrow(InvalidCidrError);
  });

  it.each([
    ['trailing garbage after the prefix', '10.0.0.0/8x', ['203.0.113.1', '10.1.2.3', '2001:db8::1']],
    ['an IPv4-mapped network shorter than /96', '::ffff:10.0.0.0/8', ['::1', '::ffff:203.0.113.1', '10.1.2.3']],
  ])('never admits an address through an entry with %s: it throws instead', (_description, entry, addresses) => {
    for (const address of addresses) expect(() => isIpAllowed(address, [entry])).toThrow(InvalidCidrError);
  });
});

describe('resolveClientIp', () => {
  const spoofedForwardedFor = '10.0.0.1';

  it('ignores X-Forwarded-For when no proxy is trusted, so a spoofed header changes nothing', () => {
    expect(resolveClientIp('198.51.100.4', spoofedForwardedFor, { kind: 'none' })).toBe(
      '198.51.100.4',
    );
  });

  it('returns the socket address as IPv4 when a dual-stack socket reports it IPv4-mapped', () => {
    expect(resolveClientIp('::ffff:198.51.100.4', undefined, { kind: 'none' })).toBe(
      '198.51.100.4',
    );
  });

  it('takes the entry the trusted proxy appended, not what the client put before it', () => {
    const forwardedFor = `${spoofedForwardedFor}, 203.0.113.9`;
    expect(resolveClientIp('172.16.0.2', forwardedFor, { kind: 'hops', hops: 1 })).toBe(
      '203.0.113.9',
    );
  });

  it('walks as many entries from the right as there are trusted hops', () => {
    const forwardedFor = '10.0.0.1, 203.0.113.9, 172.16.0.3';
    expect(resolveClientIp('172.16.0.2', forwardedFor, { kind: 'hops', hops: 2 })).toBe(
      '203.0.113.9',
    );
  });

  it('stops at the farthest address when there are more trusted hops than entries', () => {
    expect(resolveClientIp('172.16.0.2', '203.0.113.9', { kind: 'hops', hops: 5 })).toBe(
      '203.0.113.9',
    );
    expect(resolveClientIp('172.16.0.2', undefined, { kind: 'hops', hops: 5 })).toBe('172.16.0.2');
  });

  it('skips addresses inside the trusted networks and returns the first one outside', () => {
    const trustProxy = { kind: 'cidrs', cidrs: ['172.16.0.0/12', '::1'] } as const;
    const forwardedFor = '10.0.0.1,203.0.113.9 , 172.16.5.5';
    expect(resolveClientIp('::ffff:172.16.0.2', forwardedFor, trustProxy)).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For when the socket peer is not a trusted proxy', () => {
    const trustProxy = { kind: 'cidrs', cidrs: ['172.16.0.0/12'] } as const;
    expect(resolveClientIp('198.51.100.4', spoofedForwardedFor, trustProxy)).toBe('198.51.100.4');
  });

  it('returns the farthest address when every hop is a trusted proxy', () => {
    const trustProxy = { kind: 'cidrs', cidrs: ['172.16.0.0/12'] } as const;
    expect(resolveClientIp('172.16.0.2', '172.16.9.9', trustProxy)).toBe('172.16.9.9');
  });

  it('returns an unparseable entry as sent, so that no allowlist admits it', () => {
    const trustProxy = { kind: 'cidrs', cidrs: ['172.16.0.0/12'] } as const;
    const clientIp = resolveClientIp('172.16.0.2', '10.0.0.1, garbage', trustProxy);
    expect(clientIp).toBe('garbage');
    expect(isIpAllowed(clientIp, ['0.0.0.0/0'])).toBe(false);
  });

  it('writes IPv6 addresses in their canonical short form', () => {
    expect(resolveClientIp('2001:0db8:0000::0001', undefined, { kind: 'none' })).toBe(
      '2001:db8::1',
    );
  });
});

describe('parseTrustProxy', () => {
  it.each([undefined, '', 'false', 'FALSE', '0', '00'])('reads %j as no trusted proxy', (value) => {
    expect(parseTrustProxy(value)).toEqual({ kind: 'none' });
  });

  it('reads true as a single trusted hop, never as trusting every hop', () => {
    expect(parseTrustProxy('true')).toEqual({ kind: 'hops', hops: 1 });
  });

  it('reads a positive integer as that many trusted hops', () => {
    expect(parseTrustProxy('3')).toEqual({ kind: 'hops', hops: 3 });
  });

  it('reads a comma-separated list of addresses and CIDRs as trusted networks', () => {
    expect(parseTrustProxy('10.0.0.0/8, ::1,172.16.0.1')).toEqual({
      kind: 'cidrs',
      cidrs: ['10.0.0.0/8', '::1', '172.16.0.1'],
    });
  });

  it.each([
    ['yes', '"yes"'],
    ['1.5', '"1.5"'],
    ['-1', '"-1"'],
    ['10.0.0.0/8,', '""'],
    ['10.0.0.0/8, 10.0.0.0/40', '"10.0.0.0/40"'],
  ])('rejects %j with a message naming the bad entry %s', (value, badEntry) => {
    expect(() => parseTrustProxy(value)).toThrow(`${badEntry} is not an IP address or CIDR range`);
  });
});
