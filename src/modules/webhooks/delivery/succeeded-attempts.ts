import type { MikroORM } from '@mikro-orm/postgresql';
import { recordEvent } from '../../events';

export interface SucceededAttempt {
  readonly workspaceId: string;
  readonly deliveryId: string;
  readonly endpointId: string;
  readonly attemptNumber: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly statusCode: number;
  readonly responseExcerpt: string;
  /** A payload selection's body rendered by this attempt; null when it sent the envelope or an earlier render. */
  readonly payload: string | null;
}

interface Waiting {
  readonly attempt: SucceededAttempt;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Records successful attempts together: one transaction of three set-based statements for every
 * success that finished while the previous write ran, instead of one transaction of four
 * statements each. An endpoint that had been announced failing gets its
 * `webhook_endpoint.recovered` in the same transaction. At low rates each success is written alone, at once; under load they batch.
 * `add` resolves once its attempt is committed, so a delivery counts as in flight until then.
 * Failures are rarer and need per-endpoint decisions: the dispatcher records them one by one.
 */
export class SucceededAttempts {
  private waiting: Waiting[] = [];
  private writing: Promise<void> | undefined;

  constructor(private readonly orm: MikroORM) {}

  add(attempt: SucceededAttempt): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ attempt, resolve, reject });
      if (!this.writing) this.writing = this.writeWaiting();
    });
  }

  private async writeWaiting(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      try {
        await this.write(batch.map(({ attempt }) => attempt));
        for (const { resolve } of batch) resolve();
      } catch (error) {
        for (const { reject } of batch) reject(error);
      }
    }
    this.writing = undefined;
  }

  private async write(attempts: readonly SucceededAttempt[]): Promise<void> {
    const rows = JSON.stringify(attempts);
    const endpointIds = JSON.stringify([...new Set(attempts.map((attempt) => attempt.endpointId))]);
    await this.orm.em.fork().transactional(async (tx) => {
      await tx.execute(
        `insert into webhook_attempts (id, workspace_id, delivery_id, endpoint_id, attempt_number, started_at, duration_ms, status_code, response_excerpt, error, outcome)
         select new_public_id('att'), a."workspaceId", a."deliveryId", a."endpointId", a."attemptNumber", a."startedAt", a."durationMs", a."statusCode", a."responseExcerpt", null, 'succeeded'
         from jsonb_to_recordset(?::jsonb) as a("workspaceId" uuid, "deliveryId" text, "endpointId" text, "attemptNumber" int, "startedAt" timestamptz, "durationMs" int, "statusCode" int, "responseExcerpt" text)`,
        [rows],
      );
      await tx.execute(
        `update webhook_deliveries d set status = 'succeeded', attempt_count = a."attemptNumber", next_attempt_at = null, leased_until = null,
           last_status_code = a."statusCode", last_error = null, payload = coalesce(d.payload, a."payload"), updated_at = now()
         from jsonb_to_recordset(?::jsonb) as a("deliveryId" text, "attemptNumber" int, "statusCode" int, "payload" text) where d.id = a."deliveryId"`,
        [rows],
      );
      const recovered = await tx.execute<{ id: string; workspace_id: string; url: string; failing_since: string; was_announced: boolean }[]>(
        `with failing as (
           select id, failing_since, failing_notified_at is not null as was_announced from webhook_endpoints
           where id in (select jsonb_array_elements_text(?::jsonb)) and failing_since is not null for update)
         update webhook_endpoints e set failing_since = null, failing_notified_at = null from failing where e.id = failing.id
         returning e.id, e.workspace_id, e.url, failing.failing_since, failing.was_announced`,
        [endpointIds],
      );
      for (const endpoint of recovered.filter((row) => row.was_announced)) {
        await recordEvent(tx, endpoint.workspace_id, 'webhook_endpoint.recovered', {
          webhookEndpoint: { id: endpoint.id, url: endpoint.url, failingSince: new Date(endpoint.failing_since).toISOString(), recoveredAt: new Date().toISOString() },
        });
      }
    });
  }
}
