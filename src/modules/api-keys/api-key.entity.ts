import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { CostBudgetSpec } from '../../policies/cost/cost-budget';
import { Workspace } from '../workspaces/workspace.entity';

/** An API key. The secret is never stored: only its peppered HMAC. */
@Entity({ tableName: 'api_keys' })
@Index({ properties: ['workspace', 'createdAt', 'id'] })
export class ApiKey {
  [OptionalProps]?: 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'expiresAt' | 'allowedCidrs' | 'previousSecretHash' | 'previousSecretExpiresAt' | 'costBudgetMaximum' | 'costBudgetRestoreRate' | 'version';

  /** Public id, also embedded in the secret for O(1) lookup: `key_…`. */
  @PrimaryKey({ type: 'text' })
  id!: string;

  /** Raised by one with every change of a setting (optimistic concurrency: `expectedVersion`). */
  @Property({ type: 'integer' })
  version = 1;

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text[]' })
  scopes!: string[];

  /** Hex HMAC-SHA256 of the current secret. */
  @Property({ type: 'text', hidden: true })
  secretHash!: string;

  /** After a rotation, the replaced secret keeps working until previousSecretExpiresAt. */
  @Property({ type: 'text', nullable: true, hidden: true })
  previousSecretHash: string | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  previousSecretExpiresAt: Date | null = null;

  /** IPv4/IPv6 CIDRs; empty means any address. */
  @Property({ type: 'text[]' })
  allowedCidrs: string[] = [];

  /** Requests allowed per rate-limit window. */
  @Property({ type: 'integer' })
  rateLimitRequests!: number;

  @Property({ type: 'integer' })
  rateLimitWindowSeconds!: number;

  /** The key's own cost bucket in points; null (with costBudgetRestoreRate) for the server default. */
  @Property({ type: 'integer', nullable: true })
  costBudgetMaximum: number | null = null;

  /** Points restored per second. */
  @Property({ type: 'integer', nullable: true })
  costBudgetRestoreRate: number | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();

  /** Updated at most once a minute, off the request's critical path. */
  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  /** `key_…` of the creating key, or `cli` / `bootstrap`. */
  @Property({ type: 'text' })
  createdBy!: string;
}

/** The key's own budget, or null when its columns leave it to the server default. */
export function ownCostBudget(apiKey: Pick<ApiKey, 'costBudgetMaximum' | 'costBudgetRestoreRate'>): CostBudgetSpec | null {
  return apiKey.costBudgetMaximum === null || apiKey.costBudgetRestoreRate === null
    ? null
    : { maximumAvailable: apiKey.costBudgetMaximum, restoreRate: apiKey.costBudgetRestoreRate };
}
