import type { MikroORM } from '@mikro-orm/postgresql';
import type { PeriodicJob } from '../../platform/jobs/periodic-job';

const batchSize = 5_000;

/** Deletes events (and their deliveries) older than the retention, in bounded batches. */
export function eventRetentionJob(retentionMs: number): PeriodicJob {
  return {
    name: 'event-retention',
    lockId: 4_000_102,
    intervalMs: 10 * 60_000,
    async run(orm: MikroORM): Promise<number> {
      let total = 0;
      for (;;) {
        const deleted = await orm.em.fork().execute<unknown[]>(
          `delete from events where id in (select id from events where occurred_at < now() - (? || ' milliseconds')::interval limit ${batchSize}) returning 1`,
          [String(retentionMs)],
        );
        total += deleted.length;
        if (deleted.length < batchSize) return total;
      }
    },
  };
}
