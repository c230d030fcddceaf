import { generateKeyId, generateSecret, hashSecret, keyIdOfSecret, secretMatchesHash } from './api-key.secret';

describe('API key secrets', () => {
  it('embed their key id, so a secret finds its row with one primary-key lookup', () => {
    const keyId = generateKeyId();
    const secret = generateSecret(keyId);
    expect(secret).toMatch(/^sgw_[a-z0-9]{20}_[A-Za-z0-9]{43}$/);
    expect(keyIdOfSecret(secret)).toBe(keyId);
  });

  it('are never alike: 1000 secrets of one key are all different', () => {
    const keyId = generateKeyId();
    expect(new Set(Array.from({ length: 1000 }, () => generateSecret(keyId))).size).toBe(1000);
  });

  it('use every base62 character about equally (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let index = 0; index < 2000; index++) {
      for (const character of generateSecret(generateKeyId()).split('_')[2]) counts.set(character, (counts.get(character) ?? 0) + 1);
    }
    const expected = (2000 * 43) / 62;
    expect(counts.size).toBe(62);
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.2);
  });

  it('match only their own hash under the same pepper', () => {
    const secret = generateSecret(generateKeyId());
    const hash = hashSecret(secret, 'pepper-one');
    expect(secretMatchesHash(secret, hash, 'pepper-one')).toBe(true);
    expect(secretMatchesHash(secret, hash, 'pepper-two')).toBe(false);
    // Another last character: 'x' itself when the secret ends otherwise, else 'y' (a fixed 'x' left 1 secret in 62 unchanged).
    const altered = secret.slice(0, -1) + (secret.endsWith('x') ? 'y' : 'x');
    expect(secretMatchesHash(altered, hash, 'pepper-one')).toBe(false);
    expect(hash).not.toContain(secret);
  });

  it('reject anything not shaped like a secret', () => {
    expect(keyIdOfSecret('sgw_short_abc')).toBeUndefined();
    expect(keyIdOfSecret('Bearer sgw_aaaaaaaaaaaaaaaaaaaa_' + 'A'.repeat(43))).toBeUndefined();
    expect(keyIdOfSecret('sk_live_' + 'A'.repeat(60))).toBeUndefined();
  });
});
