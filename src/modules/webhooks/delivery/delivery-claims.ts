import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope, EventType } from '../../events';
import type { WebhookHttpMethod } from '../webhook.entities';

export interface ClaimedDelivery {
  readonly id: string;
  readonly workspaceId: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly attemptCount: number;
  readonly url: string;
  readonly secretCiphertext: string;
  readonly previousSecretCiphertext: string | null;
  readonly previousSecretExpiresAt: Date | null;
  readonly failingSince: Date | null;
  readonly isFailingNotified: boolean;
  readonly event: EventEnvelope;
  /** The event envelope, serialised once: the exact bytes that are signed and sent without a payload selection. */
  readonly envelopeBody: string;
  /** The endpoint's selection on Event and the scopes it runs with; null for the envelope. */
  readonly payloadQuery: string | null;
  readonly payloadScopes: readonly string[];
  /** A selection's body as rendered for an earlier attempt: sent again as it was. */
  readonly renderedPayload: string | null;
  readonly headersCiphertext: string | null;
  readonly method: WebhookHttpMethod;
  /** The endpoint's own schedule; null for the instance's. */
  readonly retryScheduleMs: readonly number[] | null;
  readonly registeredBy: string;
}

/** Attempts in flight per endpoint in one instance: fewer for an endpoint failing since its last success. */
export interface EndpointCaps {
  readonly healthy: number;
  readonly failing: number;
}

/**
 * Leases due deliveries to this instance (SKIP LOCKED, so instances never take the same one)
 * until `leaseMs` from now. A crash lets the lease expire and another instance retries: at
 * least once. Each endpoint gets at most its cap less what this instance already has in flight
 * for it, taken per endpoint (a lateral subquery), so one slow receiver's backlog can
 * neither take every slot nor keep the other endpoints' deliveries from being claimed. An
 * endpoint with a rate limit also gets no more than its limit less the deliveries claimed for it,
 * by any instance, in the last second; only such endpoints' claims are stamped, so the others
 * write no claim time (and no index entry) per delivery.
 */
export async function claimDueDeliveries(
  em: EntityManager,
  limit: number,
  inFlightByEndpoint: ReadonlyMap<string, number>,
  caps: EndpointCaps,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const rows = await em.execute<Record<string, unknown>[]>(
    `update webhook_deliveries d set leased_until = now() + (? || ' milliseconds')::interval, updated_at = now(),
       claimed_at = case when e.rate_limit_per_second is null then d.claimed_at else now() end
     from webhook_endpoints e, events ev
     where d.id in (
         select due.id from webhook_endpoints e2
         cross join lateral (
           select d2.id, d2.next_attempt_at, d2.event_sequence from webhook_deliveries d2
           where d2.endpoint_id = e2.id and d2.status = 'pending' and d2.next_attempt_at <= now() and (d2.leased_until is null or d2.leased_until < now())
           order by d2.next_attempt_at, d2.event_sequence
           limit greatest(0, least(
             (case when e2.failing_since is null then ? else ? end) - coalesce((?::jsonb ->> e2.id)::int, 0),
             case when e2.rate_limit_per_second is null then 2147483647 else e2.rate_limit_per_second - (select count(*) from webhook_deliveries d3
               where d3.endpoint_id = e2.id and d3.claimed_at > now() - interval '1 second') end))
           for update of d2 skip locked) due
         where e2.is_enabled and e2.deleted_at is null
         order by due.next_attempt_at, due.event_sequence
         limit ?)
       and e.id = d.endpoint_id and ev.id = d.event_id
     returning d.id, d.workspace_id, d.endpoint_id, d.event_id, d.attempt_count, d.payload, e.url, e.secret_ciphertext,
               e.previous_secret_ciphertext, e.previous_secret_expires_at, e.failing_since, e.failing_notified_at,
               e.payload_query, e.payload_scopes, e.headers_ciphertext, e.http_method, e.retry_schedule_ms, e.created_by,
               ev.type as event_type, ev.occurred_at, ev.sequence, ev.data`,
    [String(leaseMs), caps.healthy, caps.failing, JSON.stringify(Object.fromEntries(inFlightByEndpoint)), limit],
  );
  return rows.map(toClaimedDelivery);
}

function toClaimedDelivery(row: Record<string, unknown>): ClaimedDelivery {
  const event: EventEnvelope = {
    id: row.event_id as string,
    type: row.event_type as EventType,
    occurredAt: new Date(row.occurred_at as string).toISOString(),
    sequence: Number(row.sequence),
    data: row.data as Record<string, unknown>,
  };
  return {
    id: row.id as string,
    workspaceId: row.workspace_id as string,
    endpointId: row.endpoint_id as string,
    eventId: row.event_id as string,
    attemptCount: row.attempt_count as number,
    url: row.url as string,
    secretCiphertext: row.secret_ciphertext as string,
    previousSecretCiphertext: row.previous_secret_ciphertext as string | null,
    previousSecretExpiresAt: row.previous_secret_expires_at ? new Date(row.previous_secret_expires_at as string) : null,
    failingSince: row.failing_since ? new Date(row.failing_since as string) : null,
    isFailingNotified: row.failing_notified_at !== null,
    event,
    envelopeBody: JSON.stringify(event),
    payloadQuery: row.payload_query as string | null,
    payloadScopes: (row.payload_scopes as string[] | null) ?? [],
    renderedPayload: row.payload as string | null,
    headersCiphertext: row.headers_ciphertext as string | null,
    method: row.http_method as WebhookHttpMethod,
    retryScheduleMs: row.retry_schedule_ms as number[] | null,
    registeredBy: row.created_by as string,
  };
}
