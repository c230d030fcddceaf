import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../../policies/auth/actor';
import { badUserInput, notFound } from '../../../platform/errors';
import type { Page, PageArgs, Pager } from '../../../platform/pagination';
import { InputErrors } from '../../../platform/validation';
import { recordAudit } from '../../audit';
import { recordEvent } from '../../events';
import { WebhookDelivery, type DeliveryStatus, type WebhookDeliveryRow } from '../webhook.entities';
import { checkEventTypes, maxReplayedEvents, testEventType } from './webhook-endpoint.rules';
import type { WebhookEndpointService } from './webhook-endpoint.service';

export interface ReplayRange {
  readonly since: Date;
  /** Exclusive; absent for up to now. */
  readonly until?: Date | null;
  /** Narrows the endpoint's own types; absent for all of them. */
  readonly eventTypes?: readonly string[] | null;
}

export interface ReplayResult {
  readonly queuedCount: number;
  readonly hasMoreEvents: boolean;
}

/** Reading the delivery log and queueing deliveries by hand; the dispatcher does the sending. */
export class WebhookDeliveryService {
  constructor(
    private readonly pager: Pager,
    private readonly endpoints: WebhookEndpointService,
  ) {}

  /** Each endpoint's delivery log, newest first, for many endpoints in one statement (`Pager.nestedPages`). */
  list(em: EntityManager, workspaceId: string, endpointIds: readonly string[], status: DeliveryStatus | null, args: PageArgs): Promise<(Page<WebhookDeliveryRow> | Error)[]> {
    const where = { workspace: workspaceId, ...(status ? { status } : {}) };
    // The endpoint is part of the list's name, so a cursor of one endpoint's log is refused by another's.
    const listOf = (endpointId: string) => `webhookDeliveries:${endpointId}`;
    const query = { entity: WebhookDelivery, parent: 'endpoint', where, sort: { field: 'createdAt', direction: 'desc' }, listOf, workspaceId } as const;
    return this.pager.nestedPages(em, query, endpointIds, args);
  }

  /** A `webhook.test` event, delivered to this endpoint only (the fan-out skips the type). */
  async sendTest(em: EntityManager, actor: Actor, endpointId: string): Promise<WebhookDelivery> {
    return em.transactional(async (tx) => {
      const endpoint = await this.endpoints.findManageable(tx, actor, endpointId);
      if (!endpoint.isEnabled) {
        throw badUserInput([{ field: 'input.id', message: 'The endpoint is disabled: enable it first (webhookEndpointUpdate with isEnabled: true)' }]);
      }
      const event = await recordEvent(tx, actor.workspaceId, testEventType, { webhookEndpointId: endpoint.id });
      // The delivery references the event row by a plain column: the event must be written first.
      await tx.flush();
      const delivery = tx.create(WebhookDelivery, {
        workspace: actor.workspaceId,
        endpoint,
        eventId: event.id,
        eventSequence: String(event.sequence),
        eventType: event.type,
        status: 'pending',
        nextAttemptAt: new Date(),
      });
      await tx.flush();
      return delivery;
    });
  }

  /** Due again now; the attempt history stays. A SUCCEEDED delivery is final: replay its event instead. */
  async retry(em: EntityManager, actor: Actor, deliveryId: string): Promise<WebhookDelivery> {
    return em.transactional(async (tx) => {
      const delivery = await tx.findOne(WebhookDelivery, { id: deliveryId, workspace: actor.workspaceId, endpoint: { deletedAt: null } });
      if (!delivery) throw notFound('Webhook delivery');
      // The endpoint first, as webhookEndpointDelete locks it: the two never deadlock.
      await this.endpoints.findManageable(tx, actor, delivery.endpoint.id);
      const now = new Date();
      // Conditional, because the dispatcher may record a success meanwhile.
      const resetCount = await tx.nativeUpdate(
        WebhookDelivery,
        { id: deliveryId, status: { $ne: 'succeeded' } },
        { status: 'pending', nextAttemptAt: now, updatedAt: now },
      );
      if (resetCount === 0) {
        throw badUserInput([{ field: 'input.deliveryId', message: 'The delivery succeeded; only FAILED or PENDING deliveries can be retried' }]);
      }
      recordAudit(tx, actor, { action: 'webhook_delivery.retried', targetType: 'webhook_delivery', targetId: deliveryId, changes: {} });
      return (await tx.findOne(WebhookDelivery, { id: deliveryId }, { refresh: true }))!;
    });
  }

  /**
   * Queues past events of the range that the endpoint subscribes to and has no delivery of yet,
   * oldest first, at most maxReplayedEvents per call. Events the fan-out has not reached yet are
   * left to it.
   */
  async replay(em: EntityManager, actor: Actor, endpointId: string, range: ReplayRange): Promise<ReplayResult> {
    const errors = new InputErrors();
    if (range.eventTypes) checkEventTypes(errors, 'input.eventTypes', range.eventTypes);
    if (range.until && range.until <= range.since) errors.add('input.until', 'Must be later than since');
    errors.throwIfAny();
    return em.transactional(async (tx) => {
      const endpoint = await this.endpoints.findManageable(tx, actor, endpointId);
      const types = narrowTypes(endpoint.eventTypes, range.eventTypes ?? null);
      // One candidate past the limit tells whether more remain. The types travel as JSON: the
      // driver would inline a JS array as a list of values, not as one text[].
      const typesJson = types === null ? null : JSON.stringify(types);
      const [{ queued_count: queuedCount, has_more_events: hasMoreEvents }] = await tx.execute<{ queued_count: number; has_more_events: boolean }[]>(
        `with candidates as (
           select ev.id, ev.workspace_id, ev.sequence, ev.type from events ev
           where ev.workspace_id = ? and ev.occurred_at >= ? and (?::timestamptz is null or ev.occurred_at < ?)
             and ev.sequence <= ? and ev.type <> ? and (?::jsonb is null or ev.type in (select jsonb_array_elements_text(?::jsonb)))
             and not exists (select 1 from webhook_deliveries d where d.endpoint_id = ? and d.event_id = ev.id)
           order by ev.sequence limit ?
         ), queued as (
           insert into webhook_deliveries (id, workspace_id, endpoint_id, event_id, event_sequence, event_type, status, next_attempt_at)
           select new_public_id('del'), c.workspace_id, ?, c.id, c.sequence, c.type, 'pending', now()
           from candidates c order by c.sequence limit ?
           on conflict (endpoint_id, event_id) do nothing
           returning 1
         )
         select (select count(*) from queued)::int as queued_count, (select count(*) from candidates) > ? as has_more_events`,
        [
          actor.workspaceId, range.since, range.until ?? null, range.until ?? null,
          endpoint.enqueuedThroughSequence, testEventType, typesJson, typesJson, endpoint.id, maxReplayedEvents + 1,
          endpoint.id, maxReplayedEvents, maxReplayedEvents,
        ],
      );
      recordAudit(tx, actor, {
        action: 'webhook_endpoint.events_replayed',
        targetType: 'webhook_endpoint',
        targetId: endpoint.id,
        changes: { since: range.since.toISOString(), until: range.until?.toISOString() ?? null, eventTypes: types, queuedCount },
      });
      return { queuedCount, hasMoreEvents };
    });
  }
}

/** The endpoint's types narrowed to those asked for; null means every type. */
function narrowTypes(subscribed: readonly string[] | null, requested: readonly string[] | null): string[] | null {
  if (requested === null) return subscribed === null ? null : [...subscribed];
  return [...new Set(requested)].filter((type) => subscribed === null || subscribed.includes(type));
}
