import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ConversationConditions } from '../../policies/auth/conversation-conditions';

/**
 * Client tokens are stateless: `sgwct_<claims>.<signature>`, the claims as base64url JSON and
 * the signature an HMAC-SHA256 of them under a secret derived from API_KEY_PEPPER for this use
 * alone (so a signature can never pass as an API key hash or a cursor's). Nothing is
 * stored, so nothing can leak from the database, and checking one is a hash and a JSON parse.
 * What makes them revocable is the minting key: every request also checks that key (cached,
 * see ApiKeyCredentials), so revoking it ends its tokens.
 */
export const clientTokenPrefix = 'sgwct_';

export interface ClientTokenClaims {
  /** `ctk_…`: its own id, which its limits count against. */
  readonly id: string;
  readonly apiKeyId: string;
  readonly workspaceId: string;
  readonly scopes: readonly string[];
  readonly reach?: ConversationConditions;
  readonly allowedOrigins?: readonly string[];
  /** Unix seconds. */
  readonly expiresAt: number;
}

export function isClientToken(secret: string): boolean {
  return secret.startsWith(clientTokenPrefix);
}

export class ClientTokenSigner {
  constructor(private readonly signingSecret: string) {}

  sign(claims: ClientTokenClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${clientTokenPrefix}${body}.${this.signatureOf(body)}`;
  }

  /** The claims of a token this server signed, or undefined for anything else (forged, altered, malformed). */
  verify(token: string): ClientTokenClaims | undefined {
    if (!isClientToken(token)) return undefined;
    const [body, signature, extra] = token.slice(clientTokenPrefix.length).split('.');
    if (!body || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.signatureOf(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ClientTokenClaims;
    } catch {
      return undefined;
    }
  }

  private signatureOf(body: string): string {
    return createHmac('sha256', this.signingSecret).update(body).digest('base64url');
  }
}
