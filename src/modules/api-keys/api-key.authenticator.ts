import type { EntityManager } from '@mikro-orm/postgresql';
import { isIpAllowed } from '../../policies/auth/ip-allowlist';
import type { Principal } from '../../policies/auth/principal';
import { GatewayError, unauthenticated } from '../../platform/errors';
import { ApiKeyCredentials, type ApiKeyCredential } from './api-key-credentials';
import { keyIdOfSecret, secretMatchesHash } from './api-key.secret';
import { ownCostBudget } from './api-key.entity';
import type { CostBudgetSpec } from '../../policies/cost/cost-budget';

const lastUsedPrecisionMs = 60_000;
const bearerPattern = /^Bearer\s+(\S+)\s*$/i;

/**
 * Turns an `Authorization` header into a Principal. Keys come from `credentials`, which caches
 * them only while PostgreSQL reports their changes (see ApiKeyCredentials).
 */
export class ApiKeyAuthenticator {
  constructor(
    private readonly pepper: string,
    /** For keys that set no budget of their own (DEFAULT_COST_BUDGET). */
    private readonly defaultCostBudget: CostBudgetSpec,
    private readonly onBackgroundError: (error: unknown) => void,
    readonly credentials = new ApiKeyCredentials(),
  ) {}

  async authenticate(em: EntityManager, authorization: string | undefined, clientIp: string): Promise<Principal> {
    if (!authorization) throw unauthenticated('Missing API key: send "Authorization: Bearer <secret>"');
    const secret = bearerPattern.exec(authorization)?.[1];
    if (!secret) throw unauthenticated('Malformed Authorization header: expected "Bearer <secret>"');
    const keyId = keyIdOfSecret(secret);
    const apiKey = keyId ? await this.credentials.find(em, keyId) : null;
    const now = new Date();
    if (!apiKey || !this.matchesLiveSecret(apiKey, secret, now)) throw unauthenticated('Invalid API key');
    if (apiKey.revokedAt) throw unauthenticated('This API key has been revoked');
    if (apiKey.expiresAt && apiKey.expiresAt <= now) throw unauthenticated('This API key has expired');
    if (!isIpAllowed(clientIp, apiKey.allowedCidrs)) {
      throw new GatewayError('FORBIDDEN', `Requests from ${clientIp} are not allowed for this API key`, {}, 403);
    }
    this.recordUse(em, apiKey, now);
    return {
      apiKeyId: apiKey.id,
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
