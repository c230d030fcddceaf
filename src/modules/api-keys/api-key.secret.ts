import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets look like `sgw_<key id>_<43 base64url chars>`: a prefix that secret scanners can
 * match, the public key id for an O(1) lookup, and 32 random bytes.
 */
export const secretPrefix = 'sgw_';
const keyIdAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
const keyIdLength = 20;
const secretPattern = new RegExp(`^${secretPrefix}([a-z0-9]{${keyIdLength}})_([A-Za-z0-9_-]{43})$`);

export function generateKeyId(): string {
  const bytes = randomBytes(keyIdLength);
  // 256 is a multiple of 32 but not of 36: the slight bias costs < 1 bit of a 103-bit id.
  return 'key_' + Array.from(bytes, (byte) => keyIdAlphabet[byte % keyIdAlphabet.length]).join('');
}

export function generateSecret(keyId: string): string {
  return `${secretPrefix}${keyId.slice('key_'.length)}_${randomBytes(32).toString('base64url')}`;
}

/** The key id a secret claims to belong to, or undefined when it is not shaped like one of ours. */
export function keyIdOfSecret(secret: string): string | undefined {
  const match = secretPattern.exec(secret);
  return match ? `key_${match[1]}` : undefined;
}

export function hashSecret(secret: string, pepper: string): string {
  return createHmac('sha256', pepper).update(secret).digest('hex');
}

export function secretMatchesHash(secret: string, storedHash: string, pepper: string): boolean {
  const candidate = Buffer.from(hashSecret(secret, pepper), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}
