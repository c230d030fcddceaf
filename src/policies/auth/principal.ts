import type { CostBudgetSpec } from '../cost/cost-budget';
import type { RateLimitSpec } from '../rate-limit/rate-limit-spec';
import type { ConversationConditions } from './conversation-conditions';

/**
 * Who is calling: the authenticated API key, or a client token minted by one, and the workspace
 * it decides.
 */
export interface Principal {
  /** The key, or the key that minted the client token: revoking it ends both. */
  readonly apiKeyId: string;
  /**
   * What limits count against (request rate, cost budget, subscription slots, idempotency keys):
   * the key's id, or the client token's own, so a browser cannot spend its backend's budget.
   */
  readonly credentialId: string;
  readonly apiKeyName: string;
  readonly workspaceId: string;
  readonly workspaceSlug: string;
  /** As granted on the key (not expanded), for error messages and audit. */
  readonly grantedScopes: readonly string[];
  /** `admin` expanded: what checks use. */
  readonly effectiveScopes: ReadonlySet<string>;
  readonly clientIp: string;
  readonly rateLimit: RateLimitSpec;
  /** The key's own cost bucket, or the server default. */
  readonly costBudget: CostBudgetSpec;
  /**
   * A client token's bounds: the conversations it may see, and their customers. Anything
   * outside is NOT_FOUND, exactly as another workspace's ids. Undefined for a key.
   */
  readonly reach?: ConversationConditions;
  /** A client token's end; its sockets close then. Keys' expiry is checked in the database. */
  readonly expiresAt?: Date;
}

/**
 * The principal of work no client request brought (an export's pages, a webhook payload's
 * selection): exactly the scopes it was checked with when stored, priced then, and never rate
 * limited or charged again.
 */
export function backgroundPrincipal(of: { apiKeyId: string; apiKeyName: string; workspaceId: string; workspaceSlug: string; scopes: readonly string[] }): Principal {
  const scopes = [...of.scopes];
  return {
    apiKeyId: of.apiKeyId,
    credentialId: of.apiKeyId,
    apiKeyName: of.apiKeyName,
    workspaceId: of.workspaceId,
    workspaceSlug: of.workspaceSlug,
    grantedScopes: scopes,
    effectiveScopes: new Set(scopes),
    clientIp: '',
    rateLimit: { requests: Number.MAX_SAFE_INTEGER, windowSeconds: 60 },
    costBudget: { maximumAvailable: Number.MAX_SAFE_INTEGER, restoreRate: Number.MAX_SAFE_INTEGER },
  };
}
