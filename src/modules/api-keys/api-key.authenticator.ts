import type { EntityManager } from '@mikro-orm/postgresql';
import { isIpAllowed } from '../../policies/auth/ip-allowlist';
import type { Principal } from '../../policies/auth/principal';
import { GatewayError, unauthenticated } from '../../platform/errors';
import { ApiKeyCredentials, type ApiKeyCredential } from './api-key-credentials';
import { keyIdOfSecret, secretMatchesHash } from './api-key.secret';
import { ownCostBudget } from './api-key.entity';
import type { CostBudgetSpec } from '../../policies/cost/cost-budget';
import { isClientToken, type ClientTokenClaims, type ClientTokenSigner } from '../client-tokens/client-token.codec';
import { isOriginAllowed } from '../client-tokens/client-token.rules';

const lastUsedPrecisionMs = 60_000;
const bearerPattern = /^Bearer\s+(\S+)\s*$/i;

/** What a transport knows of a request when it authenticates it. */
export interface Credentials {
  readonly authorization: string | undefined;
  /** `X-API-Key: <secret>`, which some clients (and API gateways in front of them) send instead. */
  readonly apiKey?: string | undefined;
  readonly clientIp: string;
  /** The browser's `Origin`, checked against a client token's allowed origins when present. */
  readonly origin?: string;
}

/**
 * Turns an `Authorization` header (an API key or a client token) into a Principal. Keys come from
 * `credentials`, which caches them only while PostgreSQL reports their changes (see
 * ApiKeyCredentials). A client token is checked by its signature, then by its minting key exactly
 * as that key's own requests are, so revoking or expiring the key ends its tokens at once.
 */
export class ApiKeyAuthenticator {
  constructor(
    private readonly pepper: string,
    /** For keys that set no budget of their own (DEFAULT_COST_BUDGET). */
    private readonly defaultCostBudget: CostBudgetSpec,
    private readonly onBackgroundError: (error: unknown) => void,
    private readonly tokenSigner: ClientTokenSigner,
    readonly credentials = new ApiKeyCredentials(),
  ) {}

  async authenticate(em: EntityManager, { authorization, apiKey: apiKeyHeader, clientIp, origin }: Credentials): Promise<Principal> {
    const secret = secretOf(authorization, apiKeyHeader);
    if (isClientToken(secret)) return this.authenticateClientToken(em, secret, clientIp, origin);
    const keyId = keyIdOfSecret(secret);
    const apiKey = keyId ? await this.credentials.find(em, keyId) : null;
    const now = new Date();
    if (!apiKey || !this.matchesLiveSecret(apiKey, secret, now)) throw unauthenticated('Invalid API key');
    return this.principalOfKey(em, apiKey, clientIp, now, { checksIp: true });
  }

  private async authenticateClientToken(em: EntityManager, token: string, clientIp: string, origin: string | undefined): Promise<Principal> {
    const claims = this.tokenSigner.verify(token);
    if (!claims) throw unauthenticated('Invalid client token');
    const now = new Date();
    if (claims.expiresAt * 1000 <= now.getTime()) throw unauthenticated('This client token has expired');
    if (origin !== undefined && !isOriginAllowed(claims.allowedOrigins, origin)) {
      throw new GatewayError('FORBIDDEN', `Requests from origin ${origin} are not allowed for this client token`, {}, 403);
    }
    const apiKey = await this.credentials.find(em, claims.apiKeyId);
    if (!apiKey || apiKey.workspace !== claims.workspaceId) throw unauthenticated('Invalid client token');
    return tokenPrincipal(this.principalOfKey(em, apiKey, clientIp, now, { checksIp: false }), claims);
  }

  private principalOfKey(em: EntityManager, apiKey: ApiKeyCredential, clientIp: string, now: Date, { checksIp }: { checksIp: boolean }): Principal {
    if (apiKey.revokedAt) throw unauthenticated('This API key has been revoked');
    if (apiKey.expiresAt && apiKey.expiresAt <= now) throw unauthenticated('This API key has expired');
    if (checksIp && !isIpAllowed(clientIp, apiKey.allowedCidrs)) {
      throw new GatewayError('FORBIDDEN', `Requests from ${clientIp} are not allowed for this API key`, {}, 403);
    }
    this.recordUse(em, apiKey, now);
    return {
      apiKeyId: apiKey.id,
      credentialId: apiKey.id,
      apiKeyName: apiKey.name,
      workspaceId: apiKey.workspace!,
      workspaceSlug: apiKey.workspaceSlug,
      grantedScopes: apiKey.scopes,
      effectiveScopes: apiKey.effectiveScopes,
      clientIp,
      rateLimit: { requests: apiKey.rateLimitRequests, windowSeconds: apiKey.rateLimitWindowSeconds },
      costBudget: ownCostBudget(apiKey) ?? this.defaultCostBudget,
    };
  }

  private matchesLiveSecret(apiKey: ApiKeyCredential, secret: string, now: Date): boolean {
    if (secretMatchesHash(secret, apiKey.secretHash, this.pepper)) return true;
    const isPreviousLive = apiKey.previousSecretHash !== null && apiKey.previousSecretExpiresAt !== null && apiKey.previousSecretExpiresAt > now;
    return isPreviousLive && secretMatchesHash(secret, apiKey.previousSecretHash!, this.pepper);
  }

  /** At most one write a minute per key, and never on the request's critical path. */
  private recordUse(em: EntityManager, apiKey: ApiKeyCredential, now: Date): void {
    if (apiKey.lastUsedAt && now.getTime() - apiKey.lastUsedAt.getTime() < lastUsedPrecisionMs) return;
    apiKey.lastUsedAt = now;
    const cutoff = new Date(now.getTime() - lastUsedPrecisionMs);
    em.getConnection()
      .execute('update api_keys set last_used_at = ? where id = ? and (last_used_at is null or last_used_at < ?)', [now, apiKey.id, cutoff])
      .catch(this.onBackgroundError);
  }
}

/**
 * A client token acts as its minting key narrowed: its scopes are those it was given that the
 * key still holds (a key narrowed later narrows its tokens), and its reach bounds what it sees.
 * The key's IP allowlist does not apply: it guards the key's secret on the backend's network,
 * and the token exists to be used from browsers elsewhere (its origins and life bound it instead).
 */
function tokenPrincipal(key: Principal, claims: ClientTokenClaims): Principal {
  const grantedScopes = claims.scopes.filter((scope) => key.effectiveScopes.has(scope));
  return {
    ...key,
    credentialId: claims.id,
    grantedScopes,
    effectiveScopes: new Set(grantedScopes),
    reach: claims.reach,
    expiresAt: new Date(claims.expiresAt * 1000),
  };
}

/**
 * The secret from `Authorization: Bearer <secret>` or `X-API-Key: <secret>`. Both at once are
 * refused: a proxy adding one header to a request carrying the other would leave it unclear
 * which key acts.
 */
function secretOf(authorization: string | undefined, apiKeyHeader: string | undefined): string {
  const given = apiKeyHeader?.trim();
  if (authorization && given) throw unauthenticated('Send the key once: either "Authorization: Bearer <secret>" or "X-API-Key: <secret>"');
  if (given) {
    if (/\s/.test(given)) throw unauthenticated('Malformed X-API-Key header: expected the secret alone');
    return given;
  }
  if (!authorization) throw unauthenticated('Missing API key: send "Authorization: Bearer <secret>" or "X-API-Key: <secret>"');
  const secret = bearerPattern.exec(authorization)?.[1];
  if (!secret) throw unauthenticated('Malformed Authorization header: expected "Bearer <secret>"');
  return secret;
}
