import type { MikroORM } from '@mikro-orm/postgresql';

export interface SucceededAttempt {
  readonly workspaceId: string;
  readonly deliveryId: string;
  readonly endpointId: string;
  readonly attemptNumber: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly statusCode: number;
  readonly responseExcerpt: string;
}

interface Waiting {
  readonly attempt: SucceededAttempt;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Records successful attempts together: one transaction of three set-based statements for every
 * success that finished while the previous write ran, instead of one transaction of four
 * statements each. At low rates each success is written alone, at once; under load they batch.
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
        `insert into webhook_attempts (id, workspace_id, delivery_id, attempt_number, started_at, duration_ms, status_code, response_excerpt, error)
         select 'att_' || replace(gen_random_uuid()::text, '-', ''), a."workspaceId", a."deliveryId", a."attemptNumber", a."startedAt", a."durationMs", a."statusCode", a."responseExcerpt", null
         from jsonb_to_recordset(?::jsonb) as a("workspaceId" uuid, "deliveryId" text, "attemptNumber" int, "startedAt" timestamptz, "durationMs" int, "statusCode" int, "responseExcerpt" text)`,
        [rows],
      );
      await tx.execute(
        `update webhook_deliveries d set status = 'succeeded', attempt_count = a."attemptNumber", next_attempt_at = null, leased_until = null,
           last_status_code = a."statusCode", last_error = null, updated_at = now()
         from jsonb_to_recordset(?::jsonb) as a("deliveryId" text, "attemptNumber" int, "statusCode" int) where d.id = a."deliveryId"`,
        [rows],
      );
      await tx.execute('update webhook_endpoints set failing_since = null where id in (select jsonb_array_elements_text(?::jsonb)) and failing_since is not null', [endpointIds]);
    });
  }
}
