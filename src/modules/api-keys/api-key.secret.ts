import { createHmac, timingSafeEqual } from 'node:crypto';
import { newId, randomString } from '../../platform/ids';

/**
 * Secrets look like `sgw_<key id>_<43 base62 chars>`: a prefix that secret scanners can match,
 * the public key id for an O(1) lookup, and 256 random bits. Letters and digits only, so a
 * double-click selects the whole secret.
 */
export const secretPrefix = 'sgw_';
const secretAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const keyIdLength = 20;
/** 43 base62 characters hold 256 bits. */
const randomPartLength = 43;
const secretPattern = new RegExp(`^${secretPrefix}([a-z0-9]{${keyIdLength}})_([A-Za-z0-9]{${randomPartLength}})$`);

export function generateKeyId(): string {
  return newId('key');
}

export function generateSecret(keyId: string): string {
  return `${secretPrefix}${keyId.slice('key_'.length)}_${randomString(secretAlphabet, randomPartLength)}`;
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
