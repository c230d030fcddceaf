import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../platform/observability/logger';
import { recordEvent } from '../../events';
import type { AttemptOutcome } from '../webhook.entities';
import type { ClaimedDelivery } from './delivery-claims';
import type { NextStep } from './delivery-outcome';

const responseExcerptBytes = 2_048;

export interface FailedAttempt {
  readonly attemptNumber: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly statusCode: number | null;
  readonly responseExcerpt: string | null;
  readonly error: string | null;
  readonly outcome: AttemptOutcome;
  /** A payload selection's body rendered by this attempt, kept for the next ones. */
  readonly renderedPayload: string | null;
  /** The last attempt of the schedule in use. */
  readonly isLastScheduled: boolean;
}

export interface FailurePolicy {
  readonly disableAfterMs: number;
  readonly failingAfterMs: number;
}

/**
 * Records a failed attempt in one transaction with what follows from it: the delivery's retry or
 * final failure, `webhook_delivery.exhausted` when the schedule ran out, and for the endpoint
 * either its disabling or its failing run, with one `webhook_endpoint.failing` once the run is
 * long enough. Failures need these per-endpoint decisions, so they are recorded one by one.
 */
export async function recordFailedAttempt(tx: EntityManager, delivery: ClaimedDelivery, attempt: FailedAttempt, next: Exclude<NextStep, { kind: 'succeeded' }>, policy: FailurePolicy, logger: Logger): Promise<void> {
  await tx.execute(
    `insert into webhook_attempts (id, workspace_id, delivery_id, endpoint_id, attempt_number, started_at, duration_ms, status_code, response_excerpt, error, outcome)
     values (new_public_id('att'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [delivery.workspaceId, delivery.id, delivery.endpointId, attempt.attemptNumber, attempt.startedAt, attempt.durationMs, attempt.statusCode,
      attempt.responseExcerpt?.slice(0, responseExcerptBytes) ?? null, attempt.error, attempt.outcome],
  );
  const status = next.kind === 'retry' ? 'pending' : 'failed';
  const nextAttemptAt = next.kind === 'retry' ? new Date(Date.now() + next.delayMs) : null;
  await tx.execute(
    `update webhook_deliveries set status = ?, attempt_count = ?, next_attempt_at = ?, leased_until = null, last_status_code = ?, last_error = ?,
       payload = coalesce(payload, ?), updated_at = now() where id = ?`,
    [status, attempt.attemptNumber, nextAttemptAt, attempt.statusCode, next.reason, attempt.renderedPayload, delivery.id],
  );
  // Operational events' own deliveries announce nothing: one failing receiver must not feed a loop of events about itself.
  if (next.kind === 'failed' && attempt.isLastScheduled && !delivery.event.type.startsWith('webhook')) {
    await recordEvent(tx, delivery.workspaceId, 'webhook_delivery.exhausted', {
      webhookEndpoint: { id: delivery.endpointId, url: delivery.url },
      delivery: { id: delivery.id, eventId: delivery.eventId, eventType: delivery.event.type, attemptCount: attempt.attemptNumber, lastStatusCode: attempt.statusCode, lastError: next.reason },
    });
  }
  const failingSince = delivery.failingSince ?? attempt.startedAt;
  const failingForMs = Date.now() - failingSince.getTime();
  if (next.kind === 'disable-endpoint' || failingForMs >= policy.disableAfterMs) {
    return disableEndpoint(tx, delivery, next.kind === 'disable-endpoint' ? next.reason : `Failing without a success since ${failingSince.toISOString()}`, logger);
  }
  await tx.execute('update webhook_endpoints set failing_since = coalesce(failing_since, ?) where id = ?', [attempt.startedAt, delivery.endpointId]);
  if (failingForMs >= policy.failingAfterMs && !delivery.isFailingNotified) await announceFailing(tx, delivery);
}

/** Once per run of failures: the conditional update lets only one instance announce it. */
async function announceFailing(tx: EntityManager, delivery: ClaimedDelivery): Promise<void> {
  const [endpoint] = await tx.execute<{ url: string; failing_since: string }[]>(
    `update webhook_endpoints set failing_notified_at = now() where id = ? and failing_notified_at is null and failing_since is not null returning url, failing_since`,
    [delivery.endpointId],
  );
  if (!endpoint) return;
  await recordEvent(tx, delivery.workspaceId, 'webhook_endpoint.failing', {
    webhookEndpoint: { id: delivery.endpointId, url: endpoint.url, failingSince: new Date(endpoint.failing_since).toISOString() },
  });
}

async function disableEndpoint(tx: EntityManager, delivery: ClaimedDelivery, reason: string, logger: Logger): Promise<void> {
  const [endpoint] = await tx.execute<{ url: string }[]>(
    `update webhook_endpoints set is_enabled = false, disabled_reason = ?, updated_at = now() where id = ? and is_enabled returning url`,
    [reason, delivery.endpointId],
  );
  if (!endpoint) return;
  logger.warn({ endpointId: delivery.endpointId, reason }, 'webhook endpoint disabled');
  await recordEvent(tx, delivery.workspaceId, 'webhook_endpoint.disabled', {
    webhookEndpoint: { id: delivery.endpointId, url: endpoint.url, disabledAt: new Date().toISOString(), reason },
  });
}
