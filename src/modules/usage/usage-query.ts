import type { EntityManager } from '@mikro-orm/postgresql';
import { SqlParameters } from '../../platform/database/sql-parameters';
import type { Bucket } from '../analytics/analytics-buckets';
import { latencyBucketCount, latencyPercentileMs } from './latency-buckets';
import type { ApiUsage, ApiUsageFigures } from './usage.types';

export interface UsageQuestion {
  readonly workspaceId: string;
  /** Only this key's requests; the whole workspace's when absent. */
  readonly apiKeyId?: string;
  readonly from: Date;
  readonly to: Date;
  readonly interval: string;
  readonly timeZone: string;
  readonly buckets: readonly Bucket[];
}

interface Cell {
  requests: number;
  errors: number;
  rateLimited: number;
  cost: number;
  durationMsSum: number;
  readonly errorCodes: Map<string, number>;
  readonly latencyBuckets: number[];
}

const newCell = (): Cell => ({ requests: 0, errors: 0, rateLimited: 0, cost: 0, durationMsSum: 0, errorCodes: new Map(), latencyBuckets: new Array(latencyBucketCount).fill(0) });

/**
 * Sums the recorded minutes of the range per bucket and operation in SQL (latency histograms
 * element by element, sparse), then assembles totals, per-operation and per-bucket figures.
 */
export async function queryUsage(em: EntityManager, question: UsageQuestion): Promise<ApiUsage> {
  const where = (sql: SqlParameters) =>
    `workspace_id = ${sql.bind(question.workspaceId)} and minute >= ${sql.bind(question.from)} and minute < ${sql.bind(question.to)}` +
    (question.apiKeyId ? ` and api_key_id = ${sql.bind(question.apiKeyId)}` : '');
  const counts = new SqlParameters();
  const countsSql = `select date_trunc(${counts.bind(question.interval)}, minute, ${counts.bind(question.timeZone)}) as bucket, operation, outcome,
      sum(requests)::int as requests, sum(cost)::int as cost, sum(duration_ms_sum)::float8 as duration_ms_sum
    from api_usage_minutes where ${where(counts)} group by 1, 2, 3`;
  const latencies = new SqlParameters();
  const latenciesSql = `select date_trunc(${latencies.bind(question.interval)}, minute, ${latencies.bind(question.timeZone)}) as bucket, operation, l.index::int - 1 as latency_bucket, sum(l.count)::int as count
    from api_usage_minutes, unnest(latency_buckets) with ordinality as l(count, index)
    where ${where(latencies)} and l.count > 0 group by 1, 2, 3`;
  const connection = em.getConnection();
  const [countRows, latencyRows] = await Promise.all([
    connection.execute<{ bucket: string | Date; operation: string; outcome: string; requests: number; cost: number; duration_ms_sum: number }[]>(countsSql, counts.values),
    connection.execute<{ bucket: string | Date; operation: string; latency_bucket: number; count: number }[]>(latenciesSql, latencies.values),
  ]);

  const totals = newCell();
  const byOperation = new Map<string, Cell>();
  const byBucket = new Map<number, Cell>();
  const cellsOf = (bucket: string | Date, operation: string) => {
    const time = new Date(bucket).getTime();
    if (!byOperation.has(operation)) byOperation.set(operation, newCell());
    if (!byBucket.has(time)) byBucket.set(time, newCell());
    return [totals, byOperation.get(operation)!, byBucket.get(time)!];
  };
  for (const row of countRows) {
    for (const cell of cellsOf(row.bucket, row.operation)) {
      cell.requests += row.requests;
      cell.cost += row.cost;
      cell.durationMsSum += row.duration_ms_sum;
      if (row.outcome === 'ok') continue;
      cell.errors += row.requests;
      if (row.outcome === 'RATE_LIMITED') cell.rateLimited += row.requests;
      cell.errorCodes.set(row.outcome, (cell.errorCodes.get(row.outcome) ?? 0) + row.requests);
    }
  }
  for (const row of latencyRows) for (const cell of cellsOf(row.bucket, row.operation)) cell.latencyBuckets[row.latency_bucket] += row.count;

  return {
    totals: toFigures(totals),
    byOperation: [...byOperation].sort(([, a], [, b]) => b.requests - a.requests).map(([operation, cell]) => ({ operation, figures: toFigures(cell) })),
    points: question.buckets.map((bucket) => ({
      start: new Date(Math.max(bucket.start.getTime(), question.from.getTime())),
      end: new Date(Math.min(bucket.end.getTime(), question.to.getTime())),
      figures: toFigures(byBucket.get(bucket.start.getTime()) ?? newCell()),
    })),
  };
}

function toFigures(cell: Cell): ApiUsageFigures {
  return {
    requests: cell.requests,
    errors: cell.errors,
    errorRate: cell.requests > 0 ? cell.errors / cell.requests : null,
    rateLimited: cell.rateLimited,
    cost: cell.cost,
    meanLatencyMs: cell.requests > 0 ? cell.durationMsSum / cell.requests : null,
    latencyP50Ms: latencyPercentileMs(cell.latencyBuckets, 0.5),
    latencyP95Ms: latencyPercentileMs(cell.latencyBuckets, 0.95),
    latencyP99Ms: latencyPercentileMs(cell.latencyBuckets, 0.99),
    errorsByCode: [...cell.errorCodes].sort(([, a], [, b]) => b - a).map(([code, count]) => ({ code, count })),
  };
}
