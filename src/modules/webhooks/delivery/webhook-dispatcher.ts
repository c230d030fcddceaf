import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../../platform/observability/logger';
import type { SecretBox } from '../../../platform/secret-box';
import { recordEvent } from '../../events';
import { claimDueDeliveries, type ClaimedDelivery } from './delivery-claims';
import { enqueueDeliveries } from './delivery-fanout';
import { nextStepAfter, type AttemptResult, type NextStep } from './delivery-outcome';
import { OutboundRequestError, postWithGuard } from './guarded-http';
import type { OutboundPolicy } from './ssrf-guard';
import { signDelivery } from './standard-webhooks';
import { SucceededAttempts } from './succeeded-attempts';

export interface DispatcherSettings {
  readonly timeoutMs: number;
  readonly retryScheduleMs: readonly number[];
  readonly disableAfterMs: number;
  readonly pollIntervalMs: number;
  readonly policy: OutboundPolicy;
}

/**
 * Concurrent attempts per endpoint in one instance, so one slow or hanging receiver cannot starve
 * the rest (it holds at most this many of maxInFlight), yet a receiver answering in 50 ms still
 * gets 320 deliveries a second from each instance.
 */
export const maxInFlightPerEndpoint = 16;
/** An endpoint failing since its last success gets few attempts at once: more would only fail, at the others' expense. */
export const maxInFlightPerFailingEndpoint = 2;
const maxInFlight = 64;
const endpointCaps = { healthy: maxInFlightPerEndpoint, failing: maxInFlightPerFailingEndpoint };
const responseExcerptBytes = 2_048;

/**
 * Runs in every instance: moves new events into deliveries, leases due deliveries, POSTs them
 * signed, logs every attempt and schedules retries. The hand-written loop is a lease over rows
 * this table already needs (status, attempts, next attempt), which a job runner would duplicate.
 */
export class WebhookDispatcher {
  private readonly inFlightByEndpoint = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly succeeded: SucceededAttempts;
  private timer: NodeJS.Timeout | undefined;
  private isTicking = false;
  private isStopped = false;
  /** Set when the last pass claimed something: more may be due, so a finished attempt starts the next pass at once. */
  private mayHaveBacklog = false;
  private isPassRequested = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly secrets: SecretBox,
    private readonly settings: DispatcherSettings,
    private readonly logger: Logger,
  ) {
    this.succeeded = new SucceededAttempts(orm);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.settings.pollIntervalMs);
    this.timer.unref();
  }

  /** Stops claiming and waits for attempts in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.isStopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** One pass; exposed so tests and `wake()` can drive it without waiting for the timer. */
  async tick(): Promise<void> {
    if (this.isStopped) return;
    if (this.isTicking) {
      this.isPassRequested = true;
      return;
    }
    this.isTicking = true;
    try {
      await enqueueDeliveries(this.orm.em.fork());
      // Long enough for an attempt (bounded by the timeout) and its bookkeeping; short enough that a crash delays little.
      const leaseMs = this.settings.timeoutMs * 2 + 5_000;
      const claimed = await claimDueDeliveries(this.orm.em.fork(), maxInFlight - this.inFlight.size, this.inFlightByEndpoint, endpointCaps, leaseMs);
      this.mayHaveBacklog = claimed.length > 0;
      for (const delivery of claimed) this.track(delivery);
    } catch (error) {
      this.mayHaveBacklog = false;
      this.logger.warn({ err: error }, 'webhook dispatcher pass failed; the next one retries');
    } finally {
      this.isTicking = false;
      if (this.isPassRequested) {
        this.isPassRequested = false;
        setImmediate(() => void this.tick());
      }
    }
  }

  private track(delivery: ClaimedDelivery): void {
    this.inFlightByEndpoint.set(delivery.endpointId, (this.inFlightByEndpoint.get(delivery.endpointId) ?? 0) + 1);
    const attempt = this.attempt(delivery)
      .catch((error) => this.logger.error({ err: error, deliveryId: delivery.id }, 'webhook attempt could not be recorded; its lease will expire'))
      .finally(() => {
        this.inFlight.delete(attempt);
        const left = (this.inFlightByEndpoint.get(delivery.endpointId) ?? 1) - 1;
        if (left > 0) this.inFlightByEndpoint.set(delivery.endpointId, left);
        else this.inFlightByEndpoint.delete(delivery.endpointId);
        // While a backlog drains, a freed slot is filled at once rather than at the next poll.
        if (this.mayHaveBacklog) void this.tick();
      });
    this.inFlight.add(attempt);
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const startedAt = new Date();
    const secrets = [this.secrets.open(delivery.secretCiphertext)];
    if (delivery.previousSecretCiphertext && delivery.previousSecretExpiresAt && delivery.previousSecretExpiresAt > startedAt) {
      secrets.push(this.secrets.open(delivery.previousSecretCiphertext));
    }
    const headers = { 'content-type': 'application/json', 'user-agent': 'support-gateway-webhooks/1', ...signDelivery(delivery.eventId, delivery.body, secrets, startedAt) };
    let result: AttemptResult;
    try {
      result = { kind: 'response', response: await postWithGuard(delivery.url, delivery.body, headers, { timeoutMs: this.settings.timeoutMs, policy: this.settings.policy }) };
    } catch (error) {
      result = { kind: 'error', error: error instanceof OutboundRequestError ? `${error.code}: ${error.message}` : String(error) };
    }
    const attemptNumber = delivery.attemptCount + 1;
    await this.record(delivery, attemptNumber, startedAt, result, nextStepAfter(result, attemptNumber, this.settings.retryScheduleMs));
  }

  private async record(delivery: ClaimedDelivery, attemptNumber: number, startedAt: Date, result: AttemptResult, next: NextStep): Promise<void> {
    const response = result.kind === 'response' ? result.response : undefined;
    // Only a response can succeed.
    if (next.kind === 'succeeded' && response) {
      return this.succeeded.add({
        workspaceId: delivery.workspaceId, deliveryId: delivery.id, endpointId: delivery.endpointId, attemptNumber, startedAt,
        durationMs: response.durationMs, statusCode: response.status, responseExcerpt: response.bodyExcerpt.slice(0, responseExcerptBytes),
      });
    }
    await this.orm.em.fork().transactional(async (tx) => {
      await tx.execute(
        `insert into webhook_attempts (id, workspace_id, delivery_id, attempt_number, started_at, duration_ms, status_code, response_excerpt, error)
         values ('att_' || replace(gen_random_uuid()::text, '-', ''), ?, ?, ?, ?, ?, ?, ?, ?)`,
        [delivery.workspaceId, delivery.id, attemptNumber, startedAt, response?.durationMs ?? Date.now() - startedAt.getTime(), response?.status ?? null,
          response?.bodyExcerpt.slice(0, responseExcerptBytes) ?? null, result.kind === 'error' ? result.error : null],
      );
      const status = next.kind === 'retry' ? 'pending' : 'failed';
      const nextAttemptAt = next.kind === 'retry' ? new Date(Date.now() + next.delayMs) : null;
      await tx.execute(
        `update webhook_deliveries set status = ?, attempt_count = ?, next_attempt_at = ?, leased_until = null, last_status_code = ?, last_error = ?, updated_at = now() where id = ?`,
        [status, attemptNumber, nextAttemptAt, response?.status ?? null, next.kind === 'succeeded' ? null : next.reason, delivery.id],
      );
      const failingSince = delivery.failingSince ?? startedAt;
      const isFailingTooLong = Date.now() - failingSince.getTime() >= this.settings.disableAfterMs;
      if (next.kind === 'disable-endpoint' || isFailingTooLong) {
        await this.disableEndpoint(tx, delivery, next.kind === 'disable-endpoint' ? next.reason : `Failing without a success since ${failingSince.toISOString()}`);
      } else {
        await tx.execute('update webhook_endpoints set failing_since = coalesce(failing_since, ?) where id = ?', [startedAt, delivery.endpointId]);
      }
    });
  }

  private async disableEndpoint(tx: EntityManager, delivery: ClaimedDelivery, reason: string): Promise<void> {
    const [endpoint] = await tx.execute<{ url: string }[]>(
      `update webhook_endpoints set is_enabled = false, disabled_reason = ?, updated_at = now() where id = ? and is_enabled returning url`,
      [reason, delivery.endpointId],
    );
    if (!endpoint) return;
    this.logger.warn({ endpointId: delivery.endpointId, reason }, 'webhook endpoint disabled');
    await recordEvent(tx, delivery.workspaceId, 'webhook_endpoint.disabled', {
      webhookEndpoint: { id: delivery.endpointId, url: endpoint.url, disabledAt: new Date().toISOString(), reason },
    });
  }
}
