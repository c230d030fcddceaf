import type { EntityManager } from '@mikro-orm/postgresql';
import { enumerateBuckets } from './analytics-buckets';
import { checkAnalyticsArguments, analyticsLimits } from './analytics-limits';
import { toMetrics } from './analytics-metrics';
import { aggregateOccurrences, type AggregateRow, type AnalyticsQuestion } from './analytics-query';
import { aggregateRollups, planRollup } from './analytics-rollup-query';
import { AnalyticsGroupBy, type AnalyticsFilterInput, type AnalyticsInterval, type AnalyticsRangeInput } from './analytics.inputs';
import type { AnalyticsGroup, AnalyticsMetrics, ConversationSeries, SeriesPoint } from './analytics.types';

/** Which store answered: the hourly rollups, or the raw rows when the rollups cannot (docs/analytics.md). */
export type AnalyticsSource = 'rollup' | 'raw';

export interface SeriesRequest {
  readonly range: AnalyticsRangeInput;
  readonly interval: AnalyticsInterval;
  readonly timeZone: string;
  readonly groupBy: AnalyticsGroupBy | null;
  readonly groupLimit: number;
  readonly filter: AnalyticsFilterInput | null;
  /** Percentiles cost a pass over the raw durations; skipped when no one asked. */
  readonly wantsPercentiles: boolean;
}

/** Groups whose keys are enum values answer with the GraphQL enum's name. */
const enumGroups = new Set([AnalyticsGroupBy.CHANNEL, AnalyticsGroupBy.STATUS, AnalyticsGroupBy.PRIORITY]);

/** Support figures of one workspace, exact, from the raw rows (docs/analytics.md). */
export class AnalyticsService {
  constructor(private readonly onAnswer: (source: AnalyticsSource) => void = () => {}) {}

  async summary(em: EntityManager, workspaceId: string, range: AnalyticsRangeInput, filter: AnalyticsFilterInput | null, wantsPercentiles: boolean): Promise<AnalyticsMetrics> {
    checkAnalyticsArguments({ range, filter });
    const question = { workspaceId, from: range.from, to: range.to, filter, bucketing: null, groupBy: null, groupLimit: 1 };
    const rows = await this.aggregate(em, question, [range.from, range.to], wantsPercentiles);
    const before = rows.find((row) => row.bucket === null);
    return toMetrics(rows.find((row) => row.bucket !== null), before?.backlog_delta ?? 0);
  }

  async conversationSeries(em: EntityManager, workspaceId: string, request: SeriesRequest): Promise<ConversationSeries> {
    checkAnalyticsArguments(request);
    const { range, interval, timeZone, groupBy } = request;
    const buckets = await enumerateBuckets(em, range.from, range.to, interval, timeZone);
    const question = {
      workspaceId, from: range.from, to: range.to, filter: request.filter,
      bucketing: { unit: interval, timeZone }, groupBy, groupLimit: groupBy ? request.groupLimit : analyticsLimits.maxGroups,
    };
    const boundaries = [range.from, range.to, ...buckets.flatMap((bucket) => [bucket.start, bucket.end]).filter((at) => at > range.from && at < range.to)];
    const rows = await this.aggregate(em, question, boundaries, request.wantsPercentiles);
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
        const metrics = toMetrics(cells.get(`${bucket.start.getTime()}/${group.rank}`), backlogs.get(group.rank)!);
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

  /** From the rollups when they can answer exactly, with percentiles from the raw durations if asked; else all from the raw rows. */
  private async aggregate(em: EntityManager, question: AnalyticsQuestion, boundaries: readonly Date[], wantsPercentiles: boolean): Promise<AggregateRow[]> {
    const plan = planRollup(question, boundaries);
    this.onAnswer(plan ? 'rollup' : 'raw');
    if (!plan) return aggregateOccurrences(em, question);
    const rows = await aggregateRollups(em, question, plan);
    if (!wantsPercentiles) return rows;
    const keys = rows.filter((row) => !row.is_other).sort((a, b) => a.group_rank - b.group_rank).map((row) => row.group_key);
    const durations = await aggregateOccurrences(em, question, { durationsOnly: true, ranking: { by: 'given', keys: [...new Set(keys)] } });
    const cellOf = (row: AggregateRow) => `${row.bucket?.getTime()}/${row.is_other ? 'other' : row.group_key}`;
    const percentiles = new Map(durations.map((row) => [cellOf(row), row]));
    return rows.map((row) => {
      const found = percentiles.get(cellOf(row));
      return found
        ? { ...row, frt_median: found.frt_median, frt_p90: found.frt_p90, resolution_median: found.resolution_median, resolution_p90: found.resolution_p90 }
        : row;
    });
  }
}

/** The groups in rank order; ungrouped, the single group of everything. */
function groupsOf(rows: readonly AggregateRow[], groupBy: AnalyticsGroupBy | null): (AnalyticsGroup & { rank: number })[] {
  if (!groupBy) return [{ key: null, isOther: false, rank: 1 }];
  const byRank = new Map<number, AnalyticsGroup & { rank: number }>();
  for (const row of rows) {
    const key = row.is_other || row.group_key === null ? null : enumGroups.has(groupBy) ? row.group_key.toUpperCase() : row.group_key;
    byRank.set(row.group_rank, { key, isOther: row.is_other, rank: row.group_rank });
  }
  return [...byRank.values()].sort((a, b) => a.rank - b.rank);
}
