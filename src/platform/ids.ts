import { randomBytes } from 'node:crypto';

const lowercaseAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Uniform over the alphabet: bytes that would bias the modulo are drawn again. */
export function randomString(alphabet: string, length: number): string {
  const unbiasedBelow = 256 - (256 % alphabet.length);
  let result = '';
  while (result.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < unbiasedBelow && result.length < length) result += alphabet[byte % alphabet.length];
    }
  }
  return result;
}

/**
 * Public ids carry their type, Stripe-style (`conv_…`, `cus_…`): readable in logs and support
 * tickets, and `node(id)` knows the type without a lookup. 20 base36 characters ≈ 103 bits.
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomString(lowercaseAlphabet, 20)}`;
}

export function prefixOf(id: string): string | undefined {
  const separator = id.indexOf('_');
  return separator > 0 ? id.slice(0, separator) : undefined;
}
