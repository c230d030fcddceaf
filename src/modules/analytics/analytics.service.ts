import type { EntityManager } from '@mikro-orm/postgresql';
import { enumerateBuckets, type Bucket } from './analytics-buckets';
import { checkAnalyticsArguments, analyticsLimits } from './analytics-limits';
import { toMetrics } from './analytics-metrics';
import { cellKey, durationPercentiles, type CellPercentiles, type PercentileSource } from './analytics-percentiles';
import { aggregateOccurrences, type AggregateRow, type AnalyticsQuestion } from './analytics-query';
import { aggregateRollups, planRollup } from './analytics-rollup-query';
import { AnalyticsGroupBy, type AnalyticsFilterInput, type AnalyticsInterval, type AnalyticsRangeInput } from './analytics.inputs';
import type { AnalyticsGroup, AnalyticsMetrics, ConversationSeries, SeriesPoint } from './analytics.types';

/** Which store answered each part (docs/analytics.md). */
export type AnalyticsAnswer =
  | { readonly part: 'figures'; readonly source: 'rollup' | 'raw' }
  | { readonly part: 'percentiles'; readonly source: PercentileSource };

export interface SeriesRequest {
  readonly range: AnalyticsRangeInput;
  readonly interval: AnalyticsInterval;
  readonly timeZone: string;
  readonly groupBy: AnalyticsGroupBy | null;
  readonly groupLimit: number;
  readonly filter: AnalyticsFilterInput | null;
  /** Percentiles cost a read of duration histograms; skipped when no one asked. */
  readonly wantsPercentiles: boolean;
}

/** Groups whose keys are enum values answer with the GraphQL enum's name. */
const enumGroups = new Set([AnalyticsGroupBy.CHANNEL, AnalyticsGroupBy.STATUS, AnalyticsGroupBy.PRIORITY]);

/** Support figures of one workspace, exact but for percentiles (within 1%), from rollups or raw rows (docs/analytics.md). */
export class AnalyticsService {
  constructor(private readonly onAnswer: (answer: AnalyticsAnswer) => void = () => {}) {}

  async summary(em: EntityManager, workspaceId: string, range: AnalyticsRangeInput, filter: AnalyticsFilterInput | null, wantsPercentiles: boolean): Promise<AnalyticsMetrics> {
    checkAnalyticsArguments({ range, filter });
    const question = { workspaceId, from: range.from, to: range.to, filter, bucketing: null, groupBy: null, groupLimit: 1 };
    const { rows, percentiles } = await this.aggregate(em, question, [{ start: range.from, end: range.to }], wantsPercentiles);
    const before = rows.find((row) => row.bucket === null);
    return toMetrics(rows.find((row) => row.bucket !== null), before?.backlog_delta ?? 0, percentiles.get(cellKey(range.from, false, null)));
  }

  async conversationSeries(em: EntityManager, workspaceId: string, request: SeriesRequest): Promise<ConversationSeries> {
    checkAnalyticsArguments(request);
    const { range, interval, timeZone, groupBy } = request;
    const buckets = await enumerateBuckets(em, range.from, range.to, interval, timeZone);
    const question = {
      workspaceId, from: range.from, to: range.to, filter: request.filter,
      bucketing: { unit: interval, timeZone }, groupBy, groupLimit: groupBy ? request.groupLimit : analyticsLimits.maxGroups,
    };
    const { rows, percentiles } = await this.aggregate(em, question, buckets, request.wantsPercentiles);
    const groups = groupsOf(rows, groupBy);
    const backlogs = new Map(groups.map(({ rank }) => [rank, 0]));
    const cells = new Map<string, AggregateRow>();
    for (const row of rows) {
      if (row.bucket === null) backlogs.set(row.group_rank, row.backlog_delta);
      else cells.set(`${row.bucket.getTime()}/${row.group_rank}`, row);
    }
    const points: SeriesPoint[] = [];
    for (const bucket of buckets) {
      for (const group of groups) {
        const metrics = toMetrics(
          cells.get(`${bucket.start.getTime()}/${group.rank}`),
          backlogs.get(group.rank)!,
          percentiles.get(cellKey(bucket.start, group.isOther, group.rawKey)),
        );
        backlogs.set(group.rank, metrics.openBacklog);
        points.push({
          start: new Date(Math.max(bucket.start.getTime(), range.from.getTime())),
          end: new Date(Math.min(bucket.end.getTime(), range.to.getTime())),
          group: group.key,
          isOther: group.isOther,
          metrics,
        });
      }
    }
    return { interval, timeZone, groupBy, groups: groups.map(({ key, isOther }) => ({ key, isOther })), points };
  }

  /** From the rollups when they can answer exactly, else from the raw rows; percentiles from duration histograms if asked. */
  private async aggregate(
    em: EntityManager,
    question: AnalyticsQuestion,
    buckets: readonly Bucket[],
    wantsPercentiles: boolean,
  ): Promise<{ rows: AggregateRow[]; percentiles: Map<string, CellPercentiles> }> {
    const boundaries = [question.from, question.to, ...buckets.flatMap((bucket) => [bucket.start, bucket.end]).filter((at) => at > question.from && at < question.to)];
    const plan = planRollup(question, boundaries);
    this.onAnswer({ part: 'figures', source: plan ? 'rollup' : 'raw' });
    const figures = plan ? aggregateRollups(em, question, plan) : aggregateOccurrences(em, question);
    if (!wantsPercentiles) return { rows: await figures, percentiles: new Map() };
    const percentilesOf = async (keys: readonly (string | null)[]) => {
      const { percentiles, source } = await durationPercentiles(em, question, plan, buckets, keys);
      this.onAnswer({ part: 'percentiles', source });
      return percentiles;
    };
    // Ungrouped, the one group is known beforehand, so both reads run at once; grouped, the figures rank the groups first.
    if (question.groupBy === null) {
      const [rows, percentiles] = await Promise.all([figures, percentilesOf([null])]);
      return { rows, percentiles };
    }
    const rows = await figures;
    const keys = [...new Set(rows.filter((row) => !row.is_other).sort((a, b) => a.group_rank - b.group_rank).map((row) => row.group_key))];
    return { rows, percentiles: await percentilesOf(keys) };
  }
}

/** The groups in rank order; ungrouped, the single group of everything. */
function groupsOf(rows: readonly AggregateRow[], groupBy: AnalyticsGroupBy | null): (AnalyticsGroup & { rank: number; rawKey: string | null })[] {
  if (!groupBy) return [{ key: null, rawKey: null, isOther: false, rank: 1 }];
  const byRank = new Map<number, AnalyticsGroup & { rank: number; rawKey: string | null }>();
  for (const row of rows) {
    const key = row.is_other || row.group_key === null ? null : enumGroups.has(groupBy) ? row.group_key.toUpperCase() : row.group_key;
    byRank.set(row.group_rank, { key, rawKey: row.is_other ? null : row.group_key, isOther: row.is_other, rank: row.group_rank });
  }
  return [...byRank.values()].sort((a, b) => a.rank - b.rank);
}
