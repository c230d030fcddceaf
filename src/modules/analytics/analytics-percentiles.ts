import type { EntityManager } from '@mikro-orm/postgresql';
import { SqlParameters } from '../../platform/database/sql-parameters';
import type { Bucket } from './analytics-buckets';
import { durationBinsFromRaw, type AnalyticsQuestion, type DurationMetric } from './analytics-query';
import type { RollupPlan } from './analytics-rollup-query';
import { DurationHistogram } from './duration-histogram';

/** Median and p90 of each duration metric of one bucket and group, in seconds. */
export type CellPercentiles = Readonly<Record<DurationMetric, { readonly median: number | null; readonly p90: number | null }>>;

const durationMetrics: readonly DurationMetric[] = ['first_response', 'resolution', 'first_response_business', 'resolution_business'];

/** Where percentiles came from: the daily histograms alone, the raw rows alone, or both. */
export type PercentileSource = 'histograms' | 'raw' | 'histograms_and_raw';

/** Identifies a bucket and group across the figures' rows and the percentiles. */
export const cellKey = (bucket: Date, isOther: boolean, groupKey: string | null) => `${bucket.getTime()}/${isOther ? 'other' : JSON.stringify(groupKey)}`;

const dayMs = 86_400_000;

/**
 * Splits each bucket, clipped to the range, into the whole UTC days inside it (which the daily
 * histograms answer) and the rest (which the raw rows answer), adjacent pieces of rest merged.
 */
export function splitByUtcDays(buckets: readonly Bucket[], from: Date, to: Date): { days: Map<string, Date>; rest: [Date, Date][] } {
  const days = new Map<string, Date>();
  const rest: [Date, Date][] = [];
  const addRest = (start: number, end: number) => {
    if (start >= end) return;
    const last = rest.at(-1);
    if (last && last[1].getTime() === start) last[1] = new Date(end);
    else rest.push([new Date(start), new Date(end)]);
  };
  for (const bucket of buckets) {
    const start = Math.max(bucket.start.getTime(), from.getTime());
    const end = Math.min(bucket.end.getTime(), to.getTime());
    const firstDay = Math.ceil(start / dayMs) * dayMs;
    const endDay = Math.floor(end / dayMs) * dayMs;
    if (firstDay >= endDay) {
      addRest(start, end);
      continue;
    }
    addRest(start, firstDay);
    for (let day = firstDay; day < endDay; day += dayMs) days.set(new Date(day).toISOString().slice(0, 10), bucket.start);
    addRest(endDay, end);
  }
  return { days, rest };
}

/**
 * Median and p90 of first response and resolution times (in calendar and in business time) per bucket and group, from duration
 * histograms: the daily ones for whole UTC days when the rollups can answer the question, the raw
 * rows binned the same way for the rest. Groups outside `keys` (the figures' named groups) count
 * as the other group. Each percentile is within 1% of the exact one (duration-histogram.ts).
 */
export async function durationPercentiles(
  em: EntityManager,
  question: AnalyticsQuestion,
  plan: RollupPlan | null,
  buckets: readonly Bucket[],
  keys: readonly (string | null)[],
): Promise<{ percentiles: Map<string, CellPercentiles>; source: PercentileSource }> {
  const { days, rest } = plan ? splitByUtcDays(buckets, question.from, question.to) : { days: new Map<string, Date>(), rest: [[question.from, question.to] as [Date, Date]] };
  const histograms = new Map<string, Record<DurationMetric, DurationHistogram>>();
  const histogramOf = (key: string, metric: DurationMetric) => {
    let cell = histograms.get(key);
    if (!cell) histograms.set(key, (cell = Object.fromEntries(durationMetrics.map((name) => [name, new DurationHistogram()])) as Record<DurationMetric, DurationHistogram>));
    return cell[metric];
  };
  const named = new Set(keys);
  const dailyRows = plan && days.size > 0 ? await dailyHistograms(em, question.workspaceId, plan, [...days.keys()]) : [];
  const rawRows = await durationBinsFromRaw(em, question, rest, keys);
  for (const row of dailyRows) {
    const bucket = days.get(row.day);
    if (!bucket) continue;
    const groupKey = plan!.isGrouped && row.value !== '' ? row.value : null;
    const isOther = !named.has(groupKey);
    histogramOf(cellKey(bucket, isOther, isOther ? null : groupKey), row.metric).addRunText(row.first_bin, row.counts);
  }
  for (const row of rawRows) histogramOf(cellKey(row.bucket, row.is_other, row.group_key), row.metric).add(row.bin, row.count);

  const percentiles = new Map<string, CellPercentiles>();
  for (const [key, cell] of histograms) {
    percentiles.set(key, Object.fromEntries(durationMetrics.map((metric) => {
      const [median, p90] = cell[metric].percentiles([0.5, 0.9]);
      return [metric, { median, p90 }];
    })) as CellPercentiles);
  }
  const source = days.size === 0 ? 'raw' : rest.length === 0 ? 'histograms' : 'histograms_and_raw';
  return { percentiles, source };
}

interface DailyHistogramRow {
  readonly day: string;
  readonly value: string;
  readonly metric: DurationMetric;
  readonly first_bin: number;
  /** The counts as text: parsing one string is far cheaper than the driver parsing an array. */
  readonly counts: string;
}

async function dailyHistograms(em: EntityManager, workspaceId: string, plan: RollupPlan, days: readonly string[]): Promise<DailyHistogramRow[]> {
  const sql = new SqlParameters();
  const sorted = [...days].sort();
  const statement = `
    select h.day::text as day, h.value, h.metric, array_lower(h.counts, 1) as first_bin, array_to_string(h.counts, ',', '0') as counts
    from analytics_daily_durations h
    where h.workspace_id = ${sql.bind(workspaceId)} and h.dimension = ${sql.bind(plan.dimension)}
      ${plan.values ? `and h.value in ${sql.bindList(plan.values)}` : ''}
      and h.day >= ${sql.bind(sorted[0])}::date and h.day <= ${sql.bind(sorted.at(-1))}::date`;
  return em.getConnection().execute<DailyHistogramRow[]>(statement, sql.values);
}
