import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../../policies/auth/actor';
import { badUserInput, notFound } from '../../../platform/errors';
import { InputErrors } from '../../../platform/validation';
import { recordAudit } from '../../audit';
import { WebhookDelivery, WebhookRecovery, type WebhookEndpoint } from '../webhook.entities';
import { testEventType } from '../management/webhook-endpoint.rules';
import type { WebhookEndpointService } from '../management/webhook-endpoint.service';
import { webhookRecoveryMaxAttempts, webhookRecoveryTask } from './webhook-recovery.runner';

/** Recoveries listed on an endpoint, newest first. */
export const maxListedRecoveries = 20;

/** Sending events again: one event now (resend), or every failure of a time range in the background (recover). */
export class WebhookRecoveryService {
  constructor(private readonly endpoints: WebhookEndpointService) {}

  /**
   * Makes the endpoint's delivery of any event due now, delivered before or not, with the same
   * `webhook-id` and, for a payload selection, the same body. A delivery being attempted right
   * now is left to that attempt. Its attempt history stays.
   */
  async resend(em: EntityManager, actor: Actor, endpointId: string, eventId: string): Promise<WebhookDelivery> {
    return em.transactional(async (tx) => {
      const endpoint = await this.enabledEndpoint(tx, actor, endpointId);
      const [event] = await tx.execute<{ id: string; sequence: string; type: string }[]>('select id, sequence, type from events where id = ? and workspace_id = ?', [eventId, actor.workspaceId]);
      if (!event) throw notFound('Event');
      if (event.type === testEventType || (endpoint.eventTypes && !endpoint.eventTypes.includes(event.type))) {
        throw badUserInput([{ field: 'input.eventId', message: `The endpoint does not receive ${event.type} events` }]);
      }
      const queued = await tx.execute<{ id: string }[]>(
        `insert into webhook_deliveries as d (id, workspace_id, endpoint_id, event_id, event_sequence, event_type, status, next_attempt_at)
         values (new_public_id('del'), ?, ?, ?, ?, ?, 'pending', now())
         on conflict (endpoint_id, event_id) do update set status = 'pending', next_attempt_at = now(), updated_at = now()
           where d.leased_until is null or d.leased_until < now()
         returning id`,
        [actor.workspaceId, endpoint.id, event.id, event.sequence, event.type],
      );
      const inFlight = queued.length === 0 ? await tx.execute<{ id: string }[]>('select id from webhook_deliveries where endpoint_id = ? and event_id = ?', [endpoint.id, event.id]) : [];
      const { id } = queued[0] ?? inFlight[0];
      recordAudit(tx, actor, { action: 'webhook_event.resent', targetType: 'webhook_endpoint', targetId: endpoint.id, changes: { eventId: event.id, deliveryId: id } });
      return (await tx.findOne(WebhookDelivery, { id }, { refresh: true }))!;
    });
  }

  /**
   * Queues a job that makes every FAILED delivery of the range due again (Svix's recover). The
   * job is added in the same transaction: a committed recovery always runs.
   */
  async recover(em: EntityManager, actor: Actor, endpointId: string, since: Date, until: Date | null): Promise<WebhookRecovery> {
    const errors = new InputErrors();
    if (since.getTime() > Date.now()) errors.add('input.since', 'Must not be in the future');
    if (until && until <= since) errors.add('input.until', 'Must be later than since');
    errors.throwIfAny();
    return em.transactional(async (tx) => {
      const endpoint = await this.enabledEndpoint(tx, actor, endpointId);
      const recovery = tx.create(WebhookRecovery, { workspace: actor.workspaceId, endpointId: endpoint.id, since, until, createdBy: actor.label });
      await tx.flush();
      await tx.execute(`select graphile_worker.add_job(?, json_build_object('recoveryId', ?::text), job_key := ?, max_attempts := ?)`, [
        webhookRecoveryTask, recovery.id, `${webhookRecoveryTask}:${recovery.id}`, webhookRecoveryMaxAttempts,
      ]);
      recordAudit(tx, actor, {
        action: 'webhook_endpoint.recovery_started', targetType: 'webhook_endpoint', targetId: endpoint.id,
        changes: { recoveryId: recovery.id, since: since.toISOString(), until: until?.toISOString() ?? null },
      });
      return recovery;
    });
  }

  /** An endpoint's recoveries, newest first. */
  list(em: EntityManager, workspaceId: string, endpointId: string): Promise<WebhookRecovery[]> {
    return em.find(WebhookRecovery, { workspace: workspaceId, endpointId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: maxListedRecoveries });
  }

  private async enabledEndpoint(tx: EntityManager, actor: Actor, endpointId: string): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoints.findManageable(tx, actor, endpointId);
    if (!endpoint.isEnabled) throw badUserInput([{ field: 'input.endpointId', message: 'The endpoint is disabled: enable it first (webhookEndpointUpdate with isEnabled: true)' }]);
    return endpoint;
  }
}
