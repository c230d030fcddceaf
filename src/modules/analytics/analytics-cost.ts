import type { ListSizer } from '../../policies/cost/cost-schema';
import { analyticsLimits } from './analytics-limits';
import { AnalyticsInterval } from './analytics.inputs';

/**
 * What one analytics question weighs before its points: about what a page of ten conversations
 * does, for one statement over rollups that a page's three statements roughly match in time.
 */
export const analyticsQuestionWeight = 10;

/** The shortest a bucket of each interval can be: estimates err towards more buckets. */
const shortestBucketMs: Readonly<Record<AnalyticsInterval, number>> = {
  [AnalyticsInterval.HOUR]: 3_600_000,
  [AnalyticsInterval.DAY]: 23 * 3_600_000,
  [AnalyticsInterval.WEEK]: 7 * 86_400_000 - 3_600_000,
  [AnalyticsInterval.MONTH]: 28 * 86_400_000 - 3_600_000,
};

/**
 * The buckets × groups a series computes, from its arguments alone (the exact buckets need the
 * database's time-zone rules): an upper bound within one bucket of the truth. Each point costs 1.
 */
export const seriesPointCount: ListSizer = (args) => {
  const range = args.range as { from?: unknown; to?: unknown } | undefined;
  const from = new Date(range?.from as string).getTime();
  const to = new Date(range?.to as string).getTime();
  const bucketMs = shortestBucketMs[args.interval as AnalyticsInterval];
  if (!Number.isFinite(from) || !Number.isFinite(to) || bucketMs === undefined || to <= from) return undefined;
  const buckets = Math.min(Math.ceil((to - from) / bucketMs) + 1, analyticsLimits.maxSeriesBuckets);
  const groups = args.groupBy ? Math.min(Number(args.groupLimit) || analyticsLimits.defaultGroups, analyticsLimits.maxGroups) + 1 : 1;
  return { points: buckets * groups };
};

/** Sizers the cost model needs from this module, by schema coordinate. */
export const analyticsListSizers: Readonly<Record<string, ListSizer>> = {
  'Analytics.conversationSeries': seriesPointCount,
};
