import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { assertExpectedVersion } from '../../../policies/concurrency/expected-version';
import { canonicalJson } from '../../../platform/canonical-json';
import type { GraphQLSchema } from 'graphql';
import type { Actor } from '../../../policies/auth/actor';
import { badUserInput, forbiddenScopes, notFound } from '../../../platform/errors';
import type { Page, PageArgs, Pager } from '../../../platform/pagination';
import type { SecretBox } from '../../../platform/secret-box';
import { recordAudit } from '../../audit';
import type { OutboundPolicy } from '../delivery/ssrf-guard';
import { generateWebhookSecret } from '../delivery/standard-webhooks';
import { WebhookDelivery, WebhookEndpoint } from '../webhook.entities';
import {
  assertMayReceive, maxEndpointsPerWorkspace, maxPreviousSecretSeconds, uniqueEventTypes, validateSettings, type CheckedShape, type EndpointSettings,
} from './webhook-endpoint.rules';
import { lockWorkspaceForWrite } from '../../workspaces';
import { effectiveScopes } from '../../../policies/auth/scopes';
import type { QueryLimits } from '../../../policies/cost/query-limits';
import { checkPayloadSelection, type CheckedPayloadSelection } from '../payload/payload-selection';
import { maskHeaderValue, type CustomHeader } from './webhook-endpoint-shape';

export interface EndpointCreation extends EndpointSettings {
  readonly url: string;
}

/** A change as it will be stored; `payload` undefined when the input leaves the selection as it is. */
interface CheckedChanges {
  readonly url?: string;
  readonly shape: CheckedShape;
  readonly payload?: CheckedPayloadSelection | null;
}

/** An endpoint with its new signing secret, sealed: only WebhookSecretRevealResolver opens it, for the caller. */
export interface IssuedEndpoint {
  readonly endpoint: WebhookEndpoint;
  readonly sealedSecret: string;
}

/** Endpoint lifecycle. Every change commits with its audit entry, which never holds a secret. */
export class WebhookEndpointService {
  constructor(
    private readonly pager: Pager,
    private readonly secrets: SecretBox,
    /** Which URLs may be registered: productionOutboundPolicy unless tests need local receivers. */
    private readonly outboundPolicy: OutboundPolicy,
    /** The limits a payload selection must fit; none where no HTTP server runs (the CLI). */
    private readonly queryLimits?: QueryLimits,
  ) {}

  /** `schema` checks a payload selection; the resolvers pass their own. */
  async create(em: EntityManager, actor: Actor, creation: EndpointCreation, schema?: GraphQLSchema): Promise<IssuedEndpoint> {
    const { url, payload, shape } = this.check(creation, actor, schema);
    const eventTypes = uniqueEventTypes(creation.eventTypes ?? null);
    assertMayReceive(actor, eventTypes);
    return em.transactional(async (tx) => {
      // The lock serialises creations per workspace (the limit holds under concurrency), and the
      // sequence makes the endpoint receive only events committed after it.
      const [{ event_sequence: sequence }] = await tx.execute<{ event_sequence: string }[]>(
        'select event_sequence from workspaces where id = ? for no key update',
        [actor.workspaceId],
      );
      const existing = await tx.count(WebhookEndpoint, { workspace: actor.workspaceId, deletedAt: null });
      if (existing >= maxEndpointsPerWorkspace) {
        throw badUserInput([{ field: 'input', message: `A workspace has at most ${maxEndpointsPerWorkspace} webhook endpoints; delete one first` }]);
      }
      const endpoint = tx.create(WebhookEndpoint, {
        workspace: actor.workspaceId,
        url: url!,
        description: creation.description?.trim() || null,
        eventTypes,
        isEnabled: creation.isEnabled ?? true,
        disabledReason: creation.isEnabled === false ? disabledBy(actor) : null,
        secretCiphertext: this.secrets.seal(generateWebhookSecret()),
        enqueuedThroughSequence: String(sequence),
        createdBy: actor.label,
        payloadQuery: payload?.query ?? null,
        payloadScopes: payload?.scopes ?? null,
        filter: shape.filter ?? null,
        ...this.sealHeaders(shape.headers ?? null),
        httpMethod: creation.method ?? 'POST',
        rateLimitPerSecond: creation.rateLimitPerSecond ?? null,
        retryScheduleMs: shape.retryScheduleMs ?? null,
      });
      recordAudit(tx, actor, { action: 'webhook_endpoint.created', targetType: 'webhook_endpoint', targetId: endpoint.id, changes: describeSettings(endpoint) });
      return { endpoint, sealedSecret: endpoint.secretCiphertext };
    });
  }

  async update(em: EntityManager, actor: Actor, id: string, changes: EndpointSettings, schema?: GraphQLSchema, expectedVersion?: number | null): Promise<WebhookEndpoint> {
    const { url, payload, shape } = this.check(changes, actor, schema);
    const eventTypes = changes.eventTypes === undefined ? undefined : uniqueEventTypes(changes.eventTypes);
    if (eventTypes !== undefined) assertMayReceive(actor, eventTypes);
    return em.transactional(async (tx) => {
      const endpoint = await this.findManageable(tx, actor, id, expectedVersion);
      const before = describeSettings(endpoint);
      if (url !== undefined) endpoint.url = url;
      if (eventTypes !== undefined) endpoint.eventTypes = eventTypes;
      if (changes.description !== undefined) endpoint.description = changes.description.trim() || null;
      if (payload !== undefined) {
        endpoint.payloadQuery = payload?.query ?? null;
        endpoint.payloadScopes = payload?.scopes ?? null;
      }
      if (shape.filter !== undefined) endpoint.filter = shape.filter;
      if (shape.headers !== undefined) Object.assign(endpoint, this.sealHeaders(shape.headers));
      if (changes.method !== undefined) endpoint.httpMethod = changes.method;
      if (changes.rateLimitPerSecond !== undefined) endpoint.rateLimitPerSecond = changes.rateLimitPerSecond;
      if (shape.retryScheduleMs !== undefined) endpoint.retryScheduleMs = shape.retryScheduleMs;
      if (changes.isEnabled === true) {
        endpoint.isEnabled = true;
        endpoint.disabledReason = null;
        endpoint.failingSince = null;
      } else if (changes.isEnabled === false && endpoint.isEnabled) {
        endpoint.isEnabled = false;
        endpoint.disabledReason = disabledBy(actor);
      }
      const after = describeSettings(endpoint);
      const changed = Object.keys(after).filter((field) => canonicalJson(before[field]) !== canonicalJson(after[field]));
      // Header values are never compared in the audit (they are not in it); a new value is still a change.
      if (shape.headers !== undefined && !changed.includes('headers')) changed.push('headers');
      if (changed.length > 0) {
        endpoint.updatedAt = new Date();
        endpoint.version += 1;
        const fields = Object.fromEntries(changed.map((field) => [field, { from: before[field], to: after[field] }]));
        recordAudit(tx, actor, { action: 'webhook_endpoint.updated', targetType: 'webhook_endpoint', targetId: id, changes: fields });
      }
      return endpoint;
    });
  }

  /** Soft delete: the delivery log stays readable in the audit trail; pending deliveries fail at once. */
  async delete(em: EntityManager, actor: Actor, id: string, expectedVersion?: number | null): Promise<void> {
    await em.transactional(async (tx) => {
      const endpoint = await this.findManageable(tx, actor, id, expectedVersion);
      endpoint.deletedAt = new Date();
      endpoint.updatedAt = endpoint.deletedAt;
      endpoint.isEnabled = false;
      endpoint.version += 1;
      endpoint.previousSecretCiphertext = null;
      endpoint.previousSecretExpiresAt = null;
      await tx.nativeUpdate(
        WebhookDelivery,
        { endpoint: id, status: 'pending' },
        { status: 'failed', lastError: 'endpoint deleted', nextAttemptAt: null, updatedAt: endpoint.deletedAt },
      );
      recordAudit(tx, actor, { action: 'webhook_endpoint.deleted', targetType: 'webhook_endpoint', targetId: id, changes: {} });
    });
  }

  /** A new secret now; deliveries carry a signature by each secret until `graceSeconds` have passed. */
  async rotateSecret(em: EntityManager, actor: Actor, id: string, graceSeconds: number, expectedVersion?: number | null): Promise<IssuedEndpoint> {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > maxPreviousSecretSeconds) {
      throw badUserInput([{ field: 'input.previousSecretExpiresInSeconds', message: `Must be 0 to ${maxPreviousSecretSeconds}` }]);
    }
    return em.transactional(async (tx) => {
      const endpoint = await this.findManageable(tx, actor, id, expectedVersion);
      const previousSecretExpiresAt = graceSeconds > 0 ? new Date(Date.now() + graceSeconds * 1000) : null;
      endpoint.previousSecretCiphertext = previousSecretExpiresAt ? endpoint.secretCiphertext : null;
      endpoint.previousSecretExpiresAt = previousSecretExpiresAt;
      endpoint.secretCiphertext = this.secrets.seal(generateWebhookSecret());
      endpoint.updatedAt = new Date();
      endpoint.version += 1;
      recordAudit(tx, actor, {
        action: 'webhook_endpoint.secret_rotated',
        targetType: 'webhook_endpoint',
        targetId: id,
        changes: { previousSecretExpiresAt: previousSecretExpiresAt?.toISOString() ?? null },
      });
      return { endpoint, sealedSecret: endpoint.secretCiphertext };
    });
  }

  /** The endpoint's custom headers, opened for a delivery or masked for display. */
  openHeaders(endpoint: Pick<WebhookEndpoint, 'headersCiphertext'>): CustomHeader[] {
    return endpoint.headersCiphertext ? (JSON.parse(this.secrets.open(endpoint.headersCiphertext)) as CustomHeader[]) : [];
  }

  private sealHeaders(headers: readonly CustomHeader[] | null): Pick<WebhookEndpoint, 'headersCiphertext' | 'headerPreviews'> {
    if (!headers?.length) return { headersCiphertext: null, headerPreviews: null };
    return { headersCiphertext: this.secrets.seal(JSON.stringify(headers)), headerPreviews: headers.map(({ name, value }) => ({ name, maskedValue: maskHeaderValue(value) })) };
  }

  /** Every input field at once; a payload selection also against the schema, the limits and the caller's scopes. */
  private check(settings: EndpointSettings, actor: Actor, schema: GraphQLSchema | undefined): CheckedChanges {
    const { url, shape } = validateSettings(settings, this.outboundPolicy);
    if (settings.payloadQuery == null) return { url, shape, payload: settings.payloadQuery };
    if (!schema) throw badUserInput([{ field: 'input.payloadQuery', message: 'Payload selections are registered through the GraphQL API' }]);
    const holder = { effectiveScopes: effectiveScopes(actor.grantedScopes), grantedScopes: actor.grantedScopes };
    return { url, shape, payload: checkPayloadSelection(schema, settings.payloadQuery, holder, this.queryLimits) };
  }

  /** The secret of a payload this service issued; for the one response (or replay) that reveals it. */
  openSecret(sealedSecret: string): string {
    return this.secrets.open(sealedSecret);
  }

  /** Deleted endpoints and those of other workspaces are NOT_FOUND, like ids that never existed. */
  async find(em: EntityManager, workspaceId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await em.findOne(WebhookEndpoint, { id, workspace: workspaceId, deletedAt: null });
    if (!endpoint) throw notFound('Webhook endpoint');
    return endpoint;
  }

  list(em: EntityManager, workspaceId: string, args: PageArgs): Promise<Page<WebhookEndpoint>> {
    const where = { workspace: workspaceId, deletedAt: null };
    return this.pager.page(em, { entity: WebhookEndpoint, where, sort: newestFirst, list: 'webhookEndpoints', workspaceId }, args);
  }

  /**
   * Locks the endpoint for a change, at `expectedVersion` when one is given (CONFLICT otherwise).
   * A key manages only endpoints whose events it could read: otherwise pointing another key's
   * endpoint at a new URL would hand it data beyond its scopes.
   */
  async findManageable(em: EntityManager, actor: Actor, id: string, expectedVersion?: number | null): Promise<WebhookEndpoint> {
    await lockWorkspaceForWrite(em, actor.workspaceId);
    const endpoint = await em.findOne(WebhookEndpoint, { id, workspace: actor.workspaceId, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!endpoint) throw notFound('Webhook endpoint');
    assertMayReceive(actor, endpoint.eventTypes);
    assertHoldsScopes(actor, endpoint.payloadScopes);
    assertExpectedVersion(endpoint.version, expectedVersion, 'input.expectedVersion');
    return endpoint;
  }
}

const newestFirst = { field: 'createdAt', direction: 'desc' } as const;

const disabledBy = (actor: Actor) => `Disabled by ${actor.label}`;

/** The audit view of an endpoint: what a caller may change, never a secret. */
function describeSettings(endpoint: WebhookEndpoint): Record<string, unknown> {
  return {
    url: endpoint.url, eventTypes: endpoint.eventTypes, description: endpoint.description, isEnabled: endpoint.isEnabled,
    payloadQuery: endpoint.payloadQuery, filter: endpoint.filter, headers: endpoint.headerPreviews?.map((header) => header.name) ?? null, method: endpoint.httpMethod, rateLimitPerSecond: endpoint.rateLimitPerSecond, retryScheduleMs: endpoint.retryScheduleMs,
  };
}

/** A payload selection runs with the scopes it needed: a key without them may not point it elsewhere. */
function assertHoldsScopes(actor: Actor, scopes: readonly string[] | null): void {
  const held = effectiveScopes(actor.grantedScopes);
  const missing = (scopes ?? []).filter((scope) => !held.has(scope));
  if (missing.length > 0) throw forbiddenScopes([missing], actor.grantedScopes, `The endpoint's payload selection reads data this key cannot: it lacks ${missing.join(', ')}`);
}
