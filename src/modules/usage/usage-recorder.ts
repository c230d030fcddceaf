import { Pool } from 'pg';
import type { Logger } from '../../platform/observability/logger';
import { latencyBucketCount, latencyBucketOf } from './latency-buckets';

export interface UsageSample {
  readonly workspaceId: string;
  readonly apiKeyId: string;
  /** As the client named it, or undefined; bounded by the recorder's `operationLabel`. */
  readonly operation: string | undefined;
  /** `ok` or the first error's code. */
  readonly outcome: string;
  readonly durationMs: number;
  /** Request-budget units spent: 1, or 0 for a request the rate limit refused. */
  readonly cost: number;
}

interface MinuteTotals {
  readonly sample: Omit<UsageSample, 'operation' | 'durationMs' | 'cost'> & { readonly operation: string; readonly minute: Date };
  requests: number;
  cost: number;
  durationMsSum: number;
  readonly latencyBuckets: number[];
}

const flushEveryMs = 5_000;
const minuteMs = 60_000;

const keyOf = (sample: MinuteTotals['sample']) => `${sample.workspaceId}|${sample.apiKeyId}|${sample.minute.getTime()}|${sample.operation}|${sample.outcome}`;

/**
 * Request figures for analytics.performance and apiKey.usage. `record` only adds to totals in
 * memory (per workspace, key, minute, operation and outcome); a timer writes them in one upsert
 * every few seconds over a connection of its own, so no request waits for it and the request
 * statement counts stay as they are. Totals that fail to write are kept for the next flush.
 */
export class UsageRecorder {
  private pending = new Map<string, MinuteTotals>();
  private readonly pool: Pool;
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  /** `operationLabel` bounds client-chosen operation names (GatewayMetrics.operationLabel), so clients cannot grow the table. */
  constructor(
    databaseUrl: string,
    private readonly logger: Logger,
    private readonly operationLabel: (operationName: string | undefined) => string,
  ) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 1, options: '-c jit=off' });
    this.pool.on('error', (error) => logger.warn({ err: error }, 'usage recorder connection failed'));
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref();
  }

  record(sample: UsageSample, at = Date.now()): void {
    const { workspaceId, apiKeyId, outcome } = sample;
    const where = { workspaceId, apiKeyId, operation: this.operationLabel(sample.operation), outcome, minute: new Date(Math.floor(at / minuteMs) * minuteMs) };
    let totals = this.pending.get(keyOf(where));
    if (!totals) {
      totals = { sample: where, requests: 0, cost: 0, durationMsSum: 0, latencyBuckets: new Array(latencyBucketCount).fill(0) };
      this.pending.set(keyOf(where), totals);
    }
    totals.requests++;
    totals.cost += sample.cost;
    totals.durationMsSum += sample.durationMs;
    totals.latencyBuckets[latencyBucketOf(sample.durationMs)]++;
  }

  /** Writes everything recorded so far; flushes never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.pool.end();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const rows = batch.map(({ sample, requests, cost, durationMsSum, latencyBuckets }) => ({
      workspace_id: sample.workspaceId, api_key_id: sample.apiKeyId, minute: sample.minute.toISOString(), operation: sample.operation, outcome: sample.outcome,
      requests, cost, duration_ms_sum: durationMsSum, latency_buckets: latencyBuckets,
    }));
    try {
      await this.pool.query(
        `insert into api_usage_minutes as u (workspace_id, api_key_id, minute, operation, outcome, requests, cost, duration_ms_sum, latency_buckets)
         select r.workspace_id, r.api_key_id, r.minute, r.operation, r.outcome, r.requests, r.cost, r.duration_ms_sum, array(select jsonb_array_elements_text(r.latency_buckets)::int)
         from jsonb_to_recordset($1::jsonb) as r(workspace_id uuid, api_key_id text, minute timestamptz, operation text, outcome text, requests int, cost int, duration_ms_sum float8, latency_buckets jsonb)
         on conflict (workspace_id, minute, api_key_id, operation, outcome) do update set
           requests = u.requests + excluded.requests, cost = u.cost + excluded.cost, duration_ms_sum = u.duration_ms_sum + excluded.duration_ms_sum,
           latency_buckets = array(select a + b from unnest(u.latency_buckets, excluded.latency_buckets) with ordinality as t(a, b, i) order by i)`,
        [JSON.stringify(rows)],
      );
    } catch (error) {
      this.logger.warn({ err: error, rows: rows.length }, 'usage figures not written; kept for the next flush');
      for (const totals of batch) this.merge(totals);
    }
  }

  private merge(totals: MinuteTotals): void {
    const current = this.pending.get(keyOf(totals.sample));
    if (!current) return void this.pending.set(keyOf(totals.sample), totals);
    current.requests += totals.requests;
    current.cost += totals.cost;
    current.durationMsSum += totals.durationMsSum;
    totals.latencyBuckets.forEach((count, bucket) => (current.latencyBuckets[bucket] += count));
  }
}
