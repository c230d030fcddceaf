import type { EntityManager } from '@mikro-orm/postgresql';
import { enumerateBuckets } from './analytics-buckets';
import { checkAnalyticsArguments, analyticsLimits } from './analytics-limits';
import { toMetrics } from './analytics-metrics';
import { aggregateOccurrences, type AggregateRow } from './analytics-query';
import { AnalyticsGroupBy, type AnalyticsFilterInput, type AnalyticsInterval, type AnalyticsRangeInput } from './analytics.inputs';
import type { AnalyticsGroup, AnalyticsMetrics, ConversationSeries, SeriesPoint } from './analytics.types';

export interface SeriesRequest {
  readonly range: AnalyticsRangeInput;
  readonly interval: AnalyticsInterval;
  readonly timeZone: string;
  readonly groupBy: AnalyticsGroupBy | null;
  readonly groupLimit: number;
  readonly filter: AnalyticsFilterInput | null;
}

/** Groups whose keys are enum values answer with the GraphQL enum's name. */
const enumGroups = new Set([AnalyticsGroupBy.CHANNEL, AnalyticsGroupBy.STATUS, AnalyticsGroupBy.PRIORITY]);

/** Support figures of one workspace, exact, from the raw rows (docs/analytics.md). */
export class AnalyticsService {
  async summary(em: EntityManager, workspaceId: string, range: AnalyticsRangeInput, filter: AnalyticsFilterInput | null): Promise<AnalyticsMetrics> {
    checkAnalyticsArguments({ range, filter });
    const rows = await aggregateOccurrences(em, { workspaceId, from: range.from, to: range.to, filter, bucketing: null, groupBy: null, groupLimit: 1 });
    const before = rows.find((row) => row.bucket === null);
    return toMetrics(rows.find((row) => row.bucket !== null), before?.backlog_delta ?? 0);
  }

  async conversationSeries(em: EntityManager, workspaceId: string, request: SeriesRequest): Promise<ConversationSeries> {
    checkAnalyticsArguments(request);
    const { range, interval, timeZone, groupBy } = request;
    const buckets = await enumerateBuckets(em, range.from, range.to, interval, timeZone);
    const rows = await aggregateOccurrences(em, {
      workspaceId, from: range.from, to: range.to, filter: request.filter,
      bucketing: { unit: interval, timeZone }, groupBy, groupLimit: groupBy ? request.groupLimit : analyticsLimits.maxGroups,
    });
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
