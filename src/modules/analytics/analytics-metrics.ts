import type { CellPercentiles } from './analytics-percentiles';
import type { AggregateRow } from './analytics-query';
import type { AnalyticsMetrics } from './analytics.types';

type Sums = Omit<AggregateRow, 'bucket' | 'group_key' | 'group_rank' | 'is_other'>;

/** The figures of one bucket and group, given the backlog it started with and its percentiles if asked. */
export function toMetrics(row: Sums | undefined, backlogAtStart: number, percentiles?: CellPercentiles): AnalyticsMetrics {
  const sums = row ?? emptySums;
  const openBacklog = backlogAtStart + sums.backlog_delta;
  const workload = backlogAtStart + sums.created + sums.reopened;
  return {
    conversationsCreated: sums.created,
    conversationsResolved: sums.resolved,
    conversationsReopened: sums.reopened,
    escalations: sums.escalated,
    openBacklog,
    resolutionRate: workload > 0 ? sums.resolved / workload : null,
    firstResponseTime: {
      count: sums.frt_count, meanSeconds: sums.frt_mean, medianSeconds: percentiles?.frtMedian ?? null, p90Seconds: percentiles?.frtP90 ?? null,
    },
    resolutionTime: {
      count: sums.resolution_count, meanSeconds: sums.resolution_mean,
      medianSeconds: percentiles?.resolutionMedian ?? null, p90Seconds: percentiles?.resolutionP90 ?? null,
    },
    messagesIn: sums.messages_in,
    messagesOut: sums.messages_out,
    csat: { responses: sums.csat_count, meanRating: sums.csat_mean },
    nps: {
      responses: sums.nps_count,
      promoters: sums.nps_promoters,
      detractors: sums.nps_detractors,
      score: sums.nps_count > 0 ? (100 * (sums.nps_promoters - sums.nps_detractors)) / sums.nps_count : null,
    },
  };
}

const emptySums: Sums = {
  created: 0, resolved: 0, reopened: 0, escalated: 0, backlog_delta: 0, messages_in: 0, messages_out: 0,
  frt_count: 0, frt_mean: null, resolution_count: 0, resolution_mean: null,
  csat_count: 0, csat_mean: null, nps_count: 0, nps_promoters: 0, nps_detractors: 0,
};
