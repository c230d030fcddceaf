import type { CostBudgetSpec } from '../cost/cost-budget';
import type { RateLimitSpec } from '../rate-limit/rate-limit-spec';

/** Who is calling: the authenticated API key and the workspace it decides. */
export interface Principal {
  readonly apiKeyId: string;
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
}
