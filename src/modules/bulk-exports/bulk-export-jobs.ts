import { run, runMigrations } from 'graphile-worker';
import { workerLogger } from '../../platform/jobs/worker-logger';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../platform/observability/logger';
import type { PeriodicJob } from '../../platform/jobs/periodic-job';
import type { BulkExportRunner } from './bulk-export.runner';
import { bulkExportJobKey, bulkExportTask } from './bulk-export.service';
import { PostgresExportFileStore } from './export-file-store';

/**
 * Export jobs run on graphile-worker: jobs in PostgreSQL, claimed with SKIP LOCKED by whichever
 * instance is free, retried with backoff, picked up at once through LISTEN. It is queued in the
 * transaction that creates the export. An instance runs `concurrency` exports at a time (one by
 * default, so exports never take more than a connection and a core's share from the API); with
 * 0 it runs none and only installs the runner's schema, which creating an export needs.
 */
export async function startBulkExportWorker(databaseUrl: string, runner: BulkExportRunner, logger: Logger, concurrency: number): Promise<{ stop(): Promise<void> }> {
  if (concurrency === 0) {
    await runMigrations({ connectionString: databaseUrl, logger: workerLogger(logger) });
    return { stop: async () => {} };
  }
  const worker = await run({
    connectionString: databaseUrl,
    concurrency,
    maxPoolSize: 2,
    noHandleSignals: true,
    pollInterval: 2_000,
    // A shutdown waits this long for a running export, which then hands it back at its next page.
    gracefulShutdownAbortTimeout: 1_000,
    logger: workerLogger(logger),
    taskList: {
      [bulkExportTask]: async (payload, helpers) => runner.run((payload as { bulkExportId: string }).bulkExportId, helpers.abortSignal),
    },
  });
  return { stop: () => worker.stop() };
}

/**
 * A job whose process died stays locked in graphile-worker for hours; its export's heartbeat
 * stops at once. This sweep queues such exports again: with the same job key, the runner adds a
 * new job beside the locked one, and the run that takes it goes on from the last checkpoint.
 */
export function bulkExportRecoveryJob(leaseMs: number): PeriodicJob {
  return {
    name: 'bulk export recovery',
    lockId: 4_108_001,
    intervalMs: Math.max(1_000, Math.floor(leaseMs / 2)),
    async run(orm: MikroORM) {
      const stalled = await orm.em.fork().execute<{ id: string }[]>(
        `select id from bulk_exports where status = 'RUNNING' and heartbeat_at < now() - ? * interval '1 millisecond'`,
        [leaseMs],
      );
      for (const { id } of stalled) {
        await orm.em.fork().execute(`select graphile_worker.add_job(?, json_build_object('bulkExportId', ?::text), job_key := ?, max_attempts := 10)`, [bulkExportTask, id, bulkExportJobKey(id)]);
      }
      return stalled.length;
    },
  };
}

/** Deletes files past their retention, and what failed or canceled runs left behind. */
export const bulkExportFileRetentionJob: PeriodicJob = {
  name: 'bulk export file retention',
  lockId: 4_108_002,
  intervalMs: 10 * 60_000,
  async run(orm: MikroORM) {
    const em = orm.em.fork();
    const expired = await em.execute<{ id: string }[]>(
      `update bulk_exports set file_deleted_at = now() where status = 'COMPLETED' and file_expires_at <= now() and file_deleted_at is null returning id`,
    );
    const abandoned = await em.execute<{ id: string }[]>(
      `select distinct p.export_id as id from bulk_export_parts p join bulk_exports e on e.id = p.export_id where e.status in ('FAILED', 'CANCELED')`,
    );
    const ids = [...expired, ...abandoned].map((row) => row.id);
    await new PostgresExportFileStore(em).remove(ids);
    return ids.length;
  },
};
