import { Field, ID, InputType, Int } from 'type-graphql';
import { ExpectedVersionField } from '../../policies/concurrency/expected-version';
import { IdempotencyKeyField } from '../../policies/idempotency/idempotency-key-field';
import type { ApiKeySettings } from './api-key.rules';

@InputType('RateLimitInput')
export class RateLimitInput {
  @Field(() => Int, { description: 'Requests allowed per window, 1..1000000.' })
  requests!: number;

  @Field(() => Int, { description: 'Window length in seconds, 1..3600.' })
  windowSeconds!: number;
}

@InputType('CostBudgetInput')
export class CostBudgetInput {
  @Field(() => Int, { description: 'Points the bucket holds when full, 1..10000000. Operations requesting more are refused QUERY_TOO_COMPLEX.' })
  maximumAvailable!: number;

  @Field(() => Int, { description: 'Points restored per second, 1..1000000.' })
  restoreRate!: number;
}

@InputType('ApiKeyCreateInput')
export class ApiKeyCreateInput {
  @Field(() => String, { description: '1..100 characters.' })
  name!: string;

  @Field(() => [String], { description: 'Scopes to grant; never more than the calling key holds.' })
  scopes!: string[];

  @Field(() => [String], { nullable: true, description: 'IPv4/IPv6 CIDRs, at most 50; empty or absent allows any address.' })
  allowedCidrs?: string[] | null;

  @Field(() => RateLimitInput, { nullable: true, description: 'Defaults to the server default (600 requests a minute).' })
  rateLimit?: RateLimitInput | null;

  @Field(() => CostBudgetInput, { nullable: true, description: 'The key’s cost bucket (docs/cost.md); absent for the server default (2000 points, 100 a second).' })
  costBudget?: CostBudgetInput | null;

  @Field(() => Date, { nullable: true, description: 'When the key stops working; absent for never.' })
  expiresAt?: Date | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('ApiKeyUpdateInput', { description: 'Absent fields stay as they are.' })
export class ApiKeyUpdateInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [String], { nullable: true })
  scopes?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the allowlist; [] allows any address.' })
  allowedCidrs?: string[] | null;

  @Field(() => RateLimitInput, { nullable: true })
  rateLimit?: RateLimitInput | null;

  @Field(() => CostBudgetInput, { nullable: true, description: 'An explicit null returns the key to the server default.' })
  costBudget?: CostBudgetInput | null;

  @Field(() => Date, { nullable: true, description: 'An explicit null removes the expiry.' })
  expiresAt?: Date | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('ApiKeyRotateInput')
export class ApiKeyRotateInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @Field(() => Int, { defaultValue: 86_400, description: 'How long the replaced secret keeps working, 0..604800 seconds (7 days).' })
  previousSecretExpiresInSeconds!: number;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('ApiKeyRevokeInput')
export class ApiKeyRevokeInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;
}

/** GraphQL null means "no change" except for expiresAt and costBudget, where null returns to none and to the default. */
export function toSettings(input: ApiKeyUpdateInput): ApiKeySettings {
  return {
    name: input.name ?? undefined,
    scopes: input.scopes ?? undefined,
    allowedCidrs: input.allowedCidrs ?? undefined,
    rateLimit: input.rateLimit ?? undefined,
    costBudget: input.costBudget,
    expiresAt: input.expiresAt,
  };
}
