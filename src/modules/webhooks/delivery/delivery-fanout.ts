import type { EntityManager } from '@mikro-orm/postgresql';
import { conditionNames, factOfCondition } from '../../../policies/auth/conversation-conditions';
import { eventFactSql } from '../../events';

const eventsPerEndpointPass = 1_000;
const endpointsPerPass = 50;

/**
 * An endpoint's filter over an event (`e` the endpoint, `ev` the event): each given list must
 * hold the event's fact, and a missing fact fails, as in a filtered subscription.
 */
const endpointFilterSql = conditionNames
  .map((name) => `(e.filter -> '${name}' is null or ${eventFactSql(factOfCondition[name], 'ev.data')} in (select jsonb_array_elements_text(e.filter -> '${name}')))`)
  .join(' and ');

/** An operational event about an endpoint (failing, exhausted…) is not sent to that endpoint: it would only fail there too. */
const notAboutItselfSql = `not (ev.type like 'webhook%' and ev.data #>> '{webhookEndpoint,id}' = e.id)`;

/**
 * Creates the deliveries of newly committed events, per endpoint, from the event log: the types
 * the endpoint subscribes to, that pass its filter. Each endpoint's row is locked (SKIP LOCKED:
 * instances share the work) while its deliveries are inserted and its cursor moves, in one
 * transaction: a crash repeats the pass, never loses it, and the unique (endpoint, event) pair
 * keeps the repeat harmless.
 */
export async function enqueueDeliveries(em: EntityManager): Promise<number> {
  return em.transactional(async (tx) => {
    const endpoints = await tx.execute<{ id: string; workspace_id: string; after: string; up_to: string }[]>(
      `select e.id, e.workspace_id, e.enqueued_through_sequence as after,
              least(w.event_sequence, e.enqueued_through_sequence + ${eventsPerEndpointPass}) as up_to
       from webhook_endpoints e join workspaces w on w.id = e.workspace_id
       where e.deleted_at is null and e.is_enabled and e.enqueued_through_sequence < w.event_sequence
       order by e.id limit ${endpointsPerPass}
       for update of e skip locked`,
    );
    let created = 0;
    for (const endpoint of endpoints) {
      const inserted = await tx.execute<unknown[]>(
        `insert into webhook_deliveries (id, workspace_id, endpoint_id, event_id, event_sequence, event_type, status, next_attempt_at)
         select new_public_id('del'), ev.workspace_id, ?, ev.id, ev.sequence, ev.type, 'pending', now()
         from events ev join webhook_endpoints e on e.id = ?
         where ev.workspace_id = ? and ev.sequence > ? and ev.sequence <= ?
           and ev.type <> 'webhook.test' and (e.event_types is null or ev.type = any(e.event_types))
           and ${endpointFilterSql} and ${notAboutItselfSql}
         on conflict (endpoint_id, event_id) do nothing
         returning 1`,
        [endpoint.id, endpoint.id, endpoint.workspace_id, endpoint.after, endpoint.up_to],
      );
      created += inserted.length;
      await tx.execute('update webhook_endpoints set enqueued_through_sequence = ? where id = ?', [endpoint.up_to, endpoint.id]);
    }
    return created;
  });
}
