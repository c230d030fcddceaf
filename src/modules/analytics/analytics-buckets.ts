import type { EntityManager } from '@mikro-orm/postgresql';
import { SqlParameters } from '../../platform/database/sql-parameters';
import { badUserInput } from '../../platform/errors';
import { AnalyticsInterval } from './analytics.inputs';
import { analyticsLimits } from './analytics-limits';

export interface Bucket {
  /** The bucket's own start, as `date_trunc(unit, t, timeZone)` gives it for the occurrences inside. */
  readonly start: Date;
  readonly end: Date;
}

/**
 * Every bucket meeting [from, to), by PostgreSQL's time-zone rules so that they match the buckets
 * occurrences fall into. Days, weeks and months step on the local wall clock (a DST day lasts 23
 * or 25 hours); hours step in absolute time (a DST night has 23 or 25 of them).
 */
export async function enumerateBuckets(em: EntityManager, from: Date, to: Date, interval: AnalyticsInterval, timeZone: string): Promise<Bucket[]> {
  const limit = analyticsLimits.maxSeriesBuckets + 1;
  const sql = new SqlParameters();
  const statement =
    interval === AnalyticsInterval.HOUR
      ? `select g as start, g + interval '1 hour' as "end"
         from generate_series(date_trunc('hour', ${sql.bind(from)}::timestamptz, ${sql.bind(timeZone)}), ${sql.bind(to)}::timestamptz, interval '1 hour') g
         where g < ${sql.bind(to)} limit ${sql.bind(limit)}`
      : `select d at time zone ${sql.bind(timeZone)} as start, (d + ${sql.bind(`1 ${interval}`)}::interval) at time zone ${sql.bind(timeZone)} as "end"
         from generate_series(date_trunc(${sql.bind(interval)}, ${sql.bind(from)}::timestamptz, ${sql.bind(timeZone)}) at time zone ${sql.bind(timeZone)},
                              ${sql.bind(to)}::timestamptz at time zone ${sql.bind(timeZone)}, ${sql.bind(`1 ${interval}`)}::interval) d
         where d at time zone ${sql.bind(timeZone)} < ${sql.bind(to)} limit ${sql.bind(limit)}`;
  const rows = await em.getConnection().execute<{ start: Date | string; end: Date | string }[]>(statement, sql.values).catch((error: Error) => {
    // The zone passed Intl's check (analytics-limits.ts) but PostgreSQL's tz database lacks it.
    if (/time zone .* not recognized/.test(error.message)) throw badUserInput([{ field: 'timeZone', message: `Unknown time zone "${timeZone}"` }]);
    throw error;
  });
  if (rows.length > analyticsLimits.maxSeriesBuckets) {
    throw badUserInput(
      [{ field: 'interval', message: `At most ${analyticsLimits.maxSeriesBuckets} buckets per series; choose a larger interval or a shorter range` }],
      `The range holds more than ${analyticsLimits.maxSeriesBuckets} ${interval.toUpperCase()} buckets`,
    );
  }
  // The driver may hand timestamps over as text.
  return rows.map((row) => ({ start: new Date(row.start), end: new Date(row.end) }));
}
