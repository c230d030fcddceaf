import type { MikroORM } from '@mikro-orm/postgresql';
import { run, type JobHelpers } from 'graphile-worker';
import type { Logger } from '../../../platform/observability/logger';
import { workerLogger } from '../../../platform/jobs/worker-logger';

export const webhookRecoveryTask = 'webhook_endpoint_recover';
export const webhookRecoveryMaxAttempts = 5;
const deliveriesPerBatch = 500;

/**
 * The FAILED deliveries a recovery requeues: of its endpoint and workspace, created in its range,
 * and failed before it was asked for. A delivery it requeued that fails again is newer than the
 * recovery, so the job ends and a rerun after a crash requeues nothing twice. An endpoint deleted
 * meanwhile gets nothing more: its pending deliveries would never be claimed.
 */
const recoverableWhere = `d.endpoint_id = r.endpoint_id and d.workspace_id = r.workspace_id and d.status = 'failed'
  and d.created_at >= r.since and (r.until is null or d.created_at < r.until) and d.updated_at <= r.created_at
  and exists (select 1 from webhook_endpoints e where e.id = r.endpoint_id and e.deleted_at is null)`;

/**
 * Runs a `webhookEndpointRecover`: counts what it will requeue, then requeues it in batches,
 * each batch committed with the recovery's progress, so `requeuedCount` climbs as it goes and a
 * crash resumes where it stopped.
 */
export async function runWebhookRecovery(orm: MikroORM, recoveryId: string): Promise<void> {
  const em = orm.em.fork();
  const started = await em.execute<{ id: string }[]>(
    `update webhook_recoveries r set status = 'RUNNING',
       total_count = coalesce(r.total_count, (select count(*) from webhook_deliveries d where ${recoverableWhere}))
     where r.id = ? and r.status in ('QUEUED', 'RUNNING') returning r.id`,
    [recoveryId],
  );
  if (started.length === 0) return;
  for (;;) {
    const [{ requeued }] = await em.execute<{ requeued: number }[]>(
      `with batch as (
         select d.id from webhook_deliveries d, webhook_recoveries r where r.id = ? and ${recoverableWhere}
         order by d.created_at limit ${deliveriesPerBatch} for update of d skip locked
       ), requeued as (
         update webhook_deliveries d set status = 'pending', next_attempt_at = now(), updated_at = now() from batch where d.id = batch.id returning 1
       ), progress as (
         update webhook_recoveries set requeued_count = requeued_count + (select count(*) from requeued) where id = ? returning 1
       )
       select (select count(*) from requeued)::int as requeued, (select count(*) from progress)::int as counted`,
      [recoveryId, recoveryId],
    );
    if (requeued === 0) break;
  }
  await em.execute(`update webhook_recoveries set status = 'COMPLETED', completed_at = now() where id = ?`, [recoveryId]);
}

/**
 * Recoveries run on graphile-worker, a runner of their own beside the export runner: an hours-long
 * export never holds a recovery back, and each instance takes at most one recovery at a time.
 */
export async function startWebhookRecoveryWorker(databaseUrl: string, orm: MikroORM, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const worker = await run({
    connectionString: databaseUrl,
    concurrency: 1,
    maxPoolSize: 2,
    noHandleSignals: true,
    pollInterval: 2_000,
    logger: workerLogger(logger),
    taskList: {
      [webhookRecoveryTask]: async (payload, helpers) => runOrGiveUp(orm, (payload as { recoveryId: string }).recoveryId, helpers),
    },
  });
  return { stop: () => worker.stop() };
}

async function runOrGiveUp(orm: MikroORM, recoveryId: string, helpers: JobHelpers): Promise<void> {
  try {
    await runWebhookRecovery(orm, recoveryId);
  } catch (error) {
    if (helpers.job.attempts >= helpers.job.max_attempts) {
      await orm.em.fork().execute(`update webhook_recoveries set status = 'FAILED', error_message = 'The recovery failed repeatedly; start another', completed_at = now() where id = ?`, [recoveryId]);
    }
    throw error;
  }
}
