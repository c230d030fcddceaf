import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { assertExpectedVersion } from '../../policies/concurrency/expected-version';
import { canonicalJson } from '../../platform/canonical-json';
import { SecretBox } from '../../platform/secret-box';
import type { Actor } from '../../policies/auth/actor';
import type { RateLimitSpec } from '../../policies/rate-limit/rate-limit-spec';
import { badUserInput, notFound } from '../../platform/errors';
import type { Page, PageArgs, Pager } from '../../platform/pagination';
import { recordAudit } from '../audit';
import { recordEvent } from '../events';
import { ApiKey, ownCostBudget } from './api-key.entity';
import { assertWithinActorScopes, maxRotationGraceSeconds, validateSettings, type ApiKeySettings } from './api-key.rules';
import { generateKeyId, generateSecret, hashSecret } from './api-key.secret';
import { lockWorkspaceForWrite } from '../workspaces';

export interface ApiKeyCreation extends ApiKeySettings {
  readonly name: string;
  readonly scopes: readonly string[];
}

/** A key with its secret, which exists only in this value and is never readable again. */
export interface IssuedApiKey {
  readonly apiKey: ApiKey;
  readonly secret: string;
}

/** Key lifecycle. Every change commits with its audit entry in one transaction. */
export class ApiKeyService {
  /** Seals issued secrets for the payloads (and idempotency records) that must give them back. */
  private readonly issuedSecrets: SecretBox;

  constructor(
    private readonly pepper: string,
    private readonly defaultRateLimit: RateLimitSpec,
    private readonly pager: Pager,
    private readonly onChanged: (id: string) => void = () => {},
  ) {
    this.issuedSecrets = new SecretBox(pepper, 'issued-api-key-secrets');
  }

  sealSecret(secret: string): string {
    return this.issuedSecrets.seal(secret);
  }

  /** The secret of a payload this service issued; for the one response (or replay) that reveals it. */
  openSecret(sealedSecret: string): string {
    return this.issuedSecrets.open(sealedSecret);
  }

  async create(em: EntityManager, actor: Actor, creation: ApiKeyCreation): Promise<IssuedApiKey> {
    validateSettings(creation, new Date());
    assertWithinActorScopes(actor, creation.scopes);
    return em.transactional(async (tx) => {
      const id = generateKeyId();
      const secret = generateSecret(id);
      const rateLimit = creation.rateLimit ?? this.defaultRateLimit;
      const apiKey = tx.create(ApiKey, {
        id,
        workspace: actor.workspaceId,
        name: creation.name.trim(),
        scopes: unique(creation.scopes),
        secretHash: hashSecret(secret, this.pepper),
        allowedCidrs: unique(creation.allowedCidrs ?? []),
        rateLimitRequests: rateLimit.requests,
        rateLimitWindowSeconds: rateLimit.windowSeconds,
        costBudgetMaximum: creation.costBudget?.maximumAvailable ?? null,
        costBudgetRestoreRate: creation.costBudget?.restoreRate ?? null,
        expiresAt: creation.expiresAt ?? null,
        createdBy: actor.label,
      });
      recordAudit(tx, actor, { action: 'api_key.created', targetType: 'api_key', targetId: id, changes: describeSettings(apiKey) });
      await recordEvent(tx, actor.workspaceId, 'api_key.created', { apiKey: { id, version: apiKey.version, createdBy: actor.label, ...describeSettings(apiKey) } });
      return { apiKey, secret };
    });
  }

  async update(em: EntityManager, actor: Actor, id: string, changes: ApiKeySettings, expectedVersion?: number | null): Promise<ApiKey> {
    validateSettings(changes, new Date());
    const updated = await em.transactional(async (tx) => {
      const apiKey = await this.findManageable(tx, actor, id, expectedVersion);
      if (changes.scopes) assertWithinActorScopes(actor, changes.scopes);
      const before = describeSettings(apiKey);
      if (changes.name !== undefined) apiKey.name = changes.name.trim();
      if (changes.scopes !== undefined) apiKey.scopes = unique(changes.scopes);
      if (changes.allowedCidrs !== undefined) apiKey.allowedCidrs = unique(changes.allowedCidrs);
      if (changes.rateLimit !== undefined) {
        apiKey.rateLimitRequests = changes.rateLimit.requests;
        apiKey.rateLimitWindowSeconds = changes.rateLimit.windowSeconds;
      }
      if (changes.costBudget !== undefined) {
        apiKey.costBudgetMaximum = changes.costBudget?.maximumAvailable ?? null;
        apiKey.costBudgetRestoreRate = changes.costBudget?.restoreRate ?? null;
      }
      if (changes.expiresAt !== undefined) apiKey.expiresAt = changes.expiresAt;
      const after = describeSettings(apiKey);
      const changed = Object.fromEntries(
        Object.keys(after).filter((field) => canonicalJson(before[field]) !== canonicalJson(after[field])).map((field) => [field, { from: before[field], to: after[field] }]),
      );
      if (Object.keys(changed).length > 0) apiKey.version += 1;
      recordAudit(tx, actor, { action: 'api_key.updated', targetType: 'api_key', targetId: id, changes: changed });
      return apiKey;
    });
    this.onChanged(id);
    return updated;
  }

  /** Stripe's "roll key": a new secret now, the old one valid for `graceSeconds` more. */
  async rotate(em: EntityManager, actor: Actor, id: string, graceSeconds: number, expectedVersion?: number | null): Promise<IssuedApiKey> {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > maxRotationGraceSeconds) {
      throw badUserInput([{ field: 'input.previousSecretExpiresInSeconds', message: `Must be 0 to ${maxRotationGraceSeconds}` }]);
    }
    const rotated = await em.transactional(async (tx) => {
      const apiKey = await this.findManageable(tx, actor, id, expectedVersion);
      const secret = generateSecret(apiKey.id);
      const previousSecretExpiresAt = graceSeconds > 0 ? new Date(Date.now() + graceSeconds * 1000) : null;
      apiKey.previousSecretHash = previousSecretExpiresAt ? apiKey.secretHash : null;
      apiKey.previousSecretExpiresAt = previousSecretExpiresAt;
      apiKey.secretHash = hashSecret(secret, this.pepper);
      apiKey.version += 1;
      recordAudit(tx, actor, {
        action: 'api_key.rotated',
        targetType: 'api_key',
        targetId: id,
        changes: { previousSecretExpiresAt: previousSecretExpiresAt?.toISOString() ?? null },
      });
      await recordEvent(tx, actor.workspaceId, 'api_key.rotated', { apiKey: { id, version: apiKey.version, previousSecretExpiresAt: previousSecretExpiresAt?.toISOString() ?? null } });
      return { apiKey, secret };
    });
    this.onChanged(id);
    return rotated;
  }

  /**
   * Takes effect on this instance's next request, and on other instances' once PostgreSQL
   * delivers the change notification (milliseconds; see ApiKeyCredentials).
   */
  async revoke(em: EntityManager, actor: Actor, id: string, expectedVersion?: number | null): Promise<ApiKey> {
    const revoked = await em.transactional(async (tx) => {
      const apiKey = await this.findManageable(tx, actor, id, expectedVersion);
      if (apiKey.revokedAt === null) {
        apiKey.revokedAt = new Date();
        apiKey.version += 1;
        apiKey.previousSecretHash = null;
        apiKey.previousSecretExpiresAt = null;
        recordAudit(tx, actor, { action: 'api_key.revoked', targetType: 'api_key', targetId: id, changes: {} });
        await recordEvent(tx, actor.workspaceId, 'api_key.revoked', { apiKey: { id, version: apiKey.version, revokedAt: apiKey.revokedAt.toISOString() } });
      }
      return apiKey;
    });
    this.onChanged(id);
    return revoked;
  }

  /** A key of another workspace is NOT_FOUND, exactly like one that does not exist. */
  async find(em: EntityManager, workspaceId: string, id: string): Promise<ApiKey> {
    const apiKey = await em.findOne(ApiKey, { id, workspace: workspaceId });
    if (!apiKey) throw notFound('API key');
    return apiKey;
  }

  list(em: EntityManager, workspaceId: string, args: PageArgs): Promise<Page<ApiKey>> {
    return this.pager.page(em, { entity: ApiKey, where: { workspace: workspaceId }, sort: newestFirst, list: 'apiKeys', workspaceId }, args);
  }

  /** Locks the key for a change, at `expectedVersion` when one is given (CONFLICT otherwise). */
  private async findManageable(em: EntityManager, actor: Actor, id: string, expectedVersion: number | null | undefined): Promise<ApiKey> {
    await lockWorkspaceForWrite(em, actor.workspaceId);
    const apiKey = await em.findOne(ApiKey, { id, workspace: actor.workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!apiKey) throw notFound('API key');
    assertWithinActorScopes(actor, apiKey.scopes);
    assertExpectedVersion(apiKey.version, expectedVersion, 'input.expectedVersion');
    return apiKey;
  }
}

const newestFirst = { field: 'createdAt', direction: 'desc' } as const;

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The audit view of a key's settings: everything an admin may change, never a secret. */
function describeSettings(apiKey: ApiKey): Record<string, unknown> {
  return {
    name: apiKey.name,
    scopes: apiKey.scopes,
    allowedCidrs: apiKey.allowedCidrs,
    rateLimit: { requests: apiKey.rateLimitRequests, windowSeconds: apiKey.rateLimitWindowSeconds },
    costBudget: ownCostBudget(apiKey),
    expiresAt: apiKey.expiresAt?.toISOString() ?? null,
  };
}
