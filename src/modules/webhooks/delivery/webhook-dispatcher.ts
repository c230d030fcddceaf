import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../../platform/observability/logger';
import type { SecretBox } from '../../../platform/secret-box';
import type { PayloadRenderer } from '../payload/payload-renderer';
import type { AttemptOutcome } from '../webhook.entities';
import { claimDueDeliveries, type ClaimedDelivery } from './delivery-claims';
import { enqueueDeliveries } from './delivery-fanout';
import { nextStepAfter, outcomeOf, type AttemptResult, type NextStep } from './delivery-outcome';
import { recordFailedAttempt } from './failed-attempts';
import { OutboundRequestError, postWithGuard } from './guarded-http';
import type { OutboundPolicy } from './ssrf-guard';
import { signDelivery } from './standard-webhooks';
import { SucceededAttempts } from './succeeded-attempts';

export interface DispatcherSettings {
  readonly timeoutMs: number;
  readonly retryScheduleMs: readonly number[];
  readonly disableAfterMs: number;
  readonly failingAfterMs: number;
  readonly pollIntervalMs: number;
  readonly policy: OutboundPolicy;
}

/** What the dispatcher uses beyond the database: payload selections need the schema; metrics are the gateway's. */
export interface DispatcherObservers {
  readonly renderer?: PayloadRenderer;
  readonly metrics?: {
    attempted(outcome: AttemptOutcome, durationMs: number): void;
    finished(status: 'succeeded' | 'failed'): void;
  };
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
 * Runs in every instance: moves new events into deliveries, leases due deliveries, sends them
 * signed (the envelope, or the endpoint's payload selection), logs every attempt and schedules
 * retries. The hand-written loop is a lease over rows this table already needs (status,
 * attempts, next attempt), which a job runner would duplicate.
 */
export class WebhookDispatcher {
  private readonly inFlightByEndpoint = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly succeeded: SucceededAttempts;
  private readonly customHeaders: OpenedHeaders;
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
    private readonly observers: DispatcherObservers = {},
  ) {
    this.succeeded = new SucceededAttempts(orm);
    this.customHeaders = new OpenedHeaders(secrets);
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
    const attemptNumber = delivery.attemptCount + 1;
    const schedule = delivery.retryScheduleMs ?? this.settings.retryScheduleMs;
    let result: AttemptResult;
    let renderedPayload: string | null = null;
    try {
      const { body, isNewRender } = await this.bodyOf(delivery);
      if (isNewRender) renderedPayload = body;
      result = await this.send(delivery, body, startedAt);
    } catch (error) {
      result = { kind: 'error', error: `payload_error: ${error instanceof Error ? error.message : String(error)}`, outcome: 'payload_error' };
    }
    await this.record(delivery, { attemptNumber, startedAt, result, renderedPayload, isLastScheduled: attemptNumber === schedule.length }, nextStepAfter(result, attemptNumber, schedule));
  }

  /** The envelope, or the endpoint's payload selection: as rendered for an earlier attempt, else rendered now (and kept with the attempt). */
  private async bodyOf(delivery: ClaimedDelivery): Promise<{ body: string; isNewRender: boolean }> {
    if (!delivery.payloadQuery) return { body: delivery.envelopeBody, isNewRender: false };
    if (delivery.renderedPayload !== null) return { body: delivery.renderedPayload, isNewRender: false };
    if (!this.observers.renderer) throw new Error('this instance renders no payload selections');
    const selection = { query: delivery.payloadQuery, scopes: delivery.payloadScopes, workspaceId: delivery.workspaceId, registeredBy: delivery.registeredBy };
    return { body: await this.observers.renderer.render(selection, delivery.event), isNewRender: true };
  }

  /** Custom headers first: the gateway's own (signature, content type) always win. */
  private async send(delivery: ClaimedDelivery, body: string, startedAt: Date): Promise<AttemptResult> {
    const secrets = [this.secrets.open(delivery.secretCiphertext)];
    if (delivery.previousSecretCiphertext && delivery.previousSecretExpiresAt && delivery.previousSecretExpiresAt > startedAt) {
      secrets.push(this.secrets.open(delivery.previousSecretCiphertext));
    }
    const headers = {
      ...this.customHeaders.of(delivery.headersCiphertext),
      'content-type': 'application/json',
      'user-agent': 'support-gateway-webhooks/1',
      ...signDelivery(delivery.eventId, body, secrets, startedAt),
    };
    try {
      return { kind: 'response', response: await postWithGuard(delivery.url, body, headers, { timeoutMs: this.settings.timeoutMs, policy: this.settings.policy, method: delivery.method }) };
    } catch (error) {
      if (error instanceof OutboundRequestError) return { kind: 'error', error: `${error.code}: ${error.message}`, outcome: error.code };
      return { kind: 'error', error: String(error), outcome: 'connection_error' };
    }
  }

  private async record(delivery: ClaimedDelivery, attempt: AttemptFacts, next: NextStep): Promise<void> {
    const { result, startedAt, attemptNumber, renderedPayload } = attempt;
    const response = result.kind === 'response' ? result.response : undefined;
    const durationMs = response?.durationMs ?? Date.now() - startedAt.getTime();
    const outcome = outcomeOf(result);
    this.observers.metrics?.attempted(outcome, durationMs);
    // Only a response can succeed.
    if (next.kind === 'succeeded' && response) {
      await this.succeeded.add({
        workspaceId: delivery.workspaceId, deliveryId: delivery.id, endpointId: delivery.endpointId, attemptNumber, startedAt,
        durationMs, statusCode: response.status, responseExcerpt: response.bodyExcerpt.slice(0, responseExcerptBytes), payload: renderedPayload,
      });
      return this.observers.metrics?.finished('succeeded');
    }
    if (next.kind === 'succeeded') return;
    const failure = {
      attemptNumber, startedAt, durationMs, outcome, renderedPayload, isLastScheduled: attempt.isLastScheduled,
      statusCode: response?.status ?? null, responseExcerpt: response?.bodyExcerpt ?? null, error: result.kind === 'error' ? result.error : null,
    };
    await this.orm.em.fork().transactional((tx) => recordFailedAttempt(tx, delivery, failure, next, this.settings, this.logger));
    if (next.kind !== 'retry') this.observers.metrics?.finished('failed');
  }
}

interface AttemptFacts {
  readonly attemptNumber: number;
  readonly startedAt: Date;
  readonly result: AttemptResult;
  readonly renderedPayload: string | null;
  readonly isLastScheduled: boolean;
}

/** Opened custom headers by their sealed text: an endpoint's deliveries open them once, not per attempt. */
class OpenedHeaders {
  private readonly opened = new Map<string, Record<string, string>>();

  constructor(private readonly secrets: SecretBox) {}

  of(ciphertext: string | null): Record<string, string> {
    if (!ciphertext) return {};
    let headers = this.opened.get(ciphertext);
    if (!headers) {
      const pairs = JSON.parse(this.secrets.open(ciphertext)) as { name: string; value: string }[];
      headers = Object.fromEntries(pairs.map(({ name, value }) => [name.toLowerCase(), value]));
      if (this.opened.size >= 1_000) this.opened.clear();
      this.opened.set(ciphertext, headers);
    }
    return headers;
  }
}
