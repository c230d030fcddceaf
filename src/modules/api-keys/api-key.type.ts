import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { NodeInterface } from '../../platform/node';
import { connectionType } from '../../platform/pagination';
import { ownCostBudget, type ApiKey } from './api-key.entity';
import { Cost } from '../../policies/cost/cost-directives';

export enum ApiKeyStatus {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
}
registerEnumType(ApiKeyStatus, { name: 'ApiKeyStatus', description: 'Whether requests signed with the key are accepted.' });

@Cost(0)
@ObjectType('RateLimit', { description: 'A request budget per fixed window.' })
export class RateLimitType {
  @Field(() => Int, { description: 'Requests allowed per window.' })
  requests!: number;

  @Field(() => Int, { description: 'Window length in seconds.' })
  windowSeconds!: number;
}

@Cost(0)
@ObjectType('CostBudget', { description: 'A bucket of cost points (docs/cost.md): it holds up to maximumAvailable and refills at restoreRate a second.' })
export class CostBudgetType {
  @Field(() => Int, { description: 'Points the bucket holds when full: the most one key can spend at once.' })
  maximumAvailable!: number;

  @Field(() => Int, { description: 'Points restored per second.' })
  restoreRate!: number;
}

@ObjectType('ApiKey', { implements: NodeInterface, description: 'An API key of the workspace. Its secret is shown once, at creation or rotation, and never again.' })
export class ApiKeyType {
  @Field(() => ID, { description: 'Public id `key_…`; also the middle part of the secret, so leaked secrets can be traced.' })
  id!: string;

  @Field(() => Int, { description: 'Raised by one with every change of a setting; send it back as expectedVersion to update only what you read.' })
  version!: number;

  @Field(() => String)
  name!: string;

  @Field(() => [String], { description: 'Scopes as granted; `admin` holds every scope.' })
  scopes!: string[];

  @Field(() => ApiKeyStatus)
  status!: ApiKeyStatus;

  @Field(() => [String], { description: 'IPv4/IPv6 CIDRs requests must come from; empty allows any address.' })
  allowedCidrs!: string[];

  @Field(() => RateLimitType)
  rateLimit!: RateLimitType;

  @Field(() => CostBudgetType, { nullable: true, description: 'The key’s own cost budget; null when it uses the server’s default (every response’s `extensions.cost.throttleStatus` shows the one in force).' })
  costBudget!: CostBudgetType | null;

  @Field(() => Date, { nullable: true, description: 'When the key stops working; null for never.' })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'After a rotation, until when the previous secret still works.' })
  previousSecretExpiresAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Last authenticated request, to the minute.' })
  lastUsedAt!: Date | null;

  @Field(() => String, { description: 'The `key_…` id that created this key, or `cli` / `bootstrap`.' })
  createdBy!: string;
}

export const ApiKeyConnection = connectionType('ApiKey', ApiKeyType);

export function toApiKeyType(apiKey: ApiKey, now = new Date()): ApiKeyType {
  const status = apiKey.revokedAt ? ApiKeyStatus.REVOKED : apiKey.expiresAt && apiKey.expiresAt <= now ? ApiKeyStatus.EXPIRED : ApiKeyStatus.ACTIVE;
  const isPreviousLive = apiKey.previousSecretExpiresAt !== null && apiKey.previousSecretExpiresAt > now;
  return {
    id: apiKey.id,
    version: apiKey.version,
    name: apiKey.name,
    scopes: apiKey.scopes,
    status,
    allowedCidrs: apiKey.allowedCidrs,
    rateLimit: { requests: apiKey.rateLimitRequests, windowSeconds: apiKey.rateLimitWindowSeconds },
    costBudget: ownCostBudget(apiKey),
    expiresAt: apiKey.expiresAt,
    revokedAt: apiKey.revokedAt,
    previousSecretExpiresAt: isPreviousLive ? apiKey.previousSecretExpiresAt : null,
    createdAt: apiKey.createdAt,
    lastUsedAt: apiKey.lastUsedAt,
    createdBy: apiKey.createdBy,
  };
}
