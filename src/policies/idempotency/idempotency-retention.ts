import type { MikroORM } from '@mikro-orm/postgresql';
import type { PeriodicJob } from '../../platform/jobs/periodic-job';

const batchSize = 5_000;

/** Deletes idempotency records past their 24 h, in bounded batches so no delete holds locks long. */
export const idempotencyRetentionJob: PeriodicJob = {
  name: 'idempotency-retention',
  lockId: 4_000_101,
  intervalMs: 10 * 60_000,
  async run(orm: MikroORM): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await orm.em.fork().execute<unknown[]>(
        `delete from idempotency_records where ctid in (select ctid from idempotency_records where expires_at <= now() limit ${batchSize}) returning 1`,
      );
      total += deleted.length;
      if (deleted.length < batchSize) return total;
    }
  },
};
