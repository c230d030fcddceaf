import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../observability/logger';

export interface PeriodicJob {
  readonly name: string;
  /** Stable across instances: the advisory lock that makes one instance run it at a time. */
  readonly lockId: number;
  readonly intervalMs: number;
  /** Returns how many rows it handled, for the log. Must be safe to run twice. */
  run(orm: MikroORM): Promise<number>;
}

/**
 * Runs maintenance (retention clean-ups) on a timer in every instance; an advisory lock lets
 * one instance at a time do the work. These are single idempotent statements, so they need no
 * queue; deliveries that need retries and backoff belong in a job runner.
 */
export function schedulePeriodicJobs(orm: MikroORM, jobs: readonly PeriodicJob[], logger: Logger): { stop(): Promise<void> } {
  const running = new Set<Promise<void>>();
  const timers = jobs.map((job) => {
    const tick = () => {
      const run = runOnce(orm, job, logger).finally(() => running.delete(run));
      running.add(run);
    };
    const timer = setInterval(tick, job.intervalMs);
    timer.unref();
    return timer;
  });
  return {
    async stop() {
      timers.forEach(clearInterval);
      await Promise.allSettled([...running]);
    },
  };
}

export async function runOnce(orm: MikroORM, job: PeriodicJob, logger: Logger): Promise<void> {
  const em = orm.em.fork();
  try {
    await em.transactional(async (tx) => {
      const [{ acquired }] = await tx.execute<{ acquired: boolean }[]>('select pg_try_advisory_xact_lock(?) as acquired', [job.lockId]);
      if (!acquired) return;
      const handled = await job.run(orm);
      if (handled > 0) logger.info({ job: job.name, handled }, 'periodic job ran');
    });
  } catch (error) {
    logger.warn({ err: error, job: job.name }, 'periodic job failed; it will run again');
  }
}
