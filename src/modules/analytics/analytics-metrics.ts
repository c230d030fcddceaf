import type { CellPercentiles } from './analytics-percentiles';
import type { AggregateRow, DurationMetric } from './analytics-query';
import type { AnalyticsMetrics, DurationStats, SlaAchievement, SlaTargetAchievement } from './analytics.types';

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
    firstResponseTime: durationStats(sums.frt_count, sums.frt_mean, percentiles?.first_response),
    resolutionTime: durationStats(sums.resolution_count, sums.resolution_mean, percentiles?.resolution),
    firstResponseBusinessTime: durationStats(sums.frt_business_count, sums.frt_business_mean, percentiles?.first_response_business),
    resolutionBusinessTime: durationStats(sums.resolution_business_count, sums.resolution_business_mean, percentiles?.resolution_business),
    sla: slaStats(sums),
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

function durationStats(count: number, meanSeconds: number | null, percentiles: CellPercentiles[DurationMetric] | undefined): DurationStats {
  return { count, meanSeconds, medianSeconds: percentiles?.median ?? null, p90Seconds: percentiles?.p90 ?? null };
}

const achievement = (achieved: number, breached: number): SlaTargetAchievement => ({ achieved, breached, achievementRate: achieved + breached > 0 ? achieved / (achieved + breached) : null });

function slaStats(sums: Sums): SlaAchievement {
  const targets = {
    firstResponse: achievement(sums.sla_first_response_achieved, sums.sla_first_response_breached),
    nextResponse: achievement(sums.sla_next_response_achieved, sums.sla_next_response_breached),
    resolution: achievement(sums.sla_resolution_achieved, sums.sla_resolution_breached),
  };
  const all = Object.values(targets);
  return { ...achievement(all.reduce((sum, target) => sum + target.achieved, 0), all.reduce((sum, target) => sum + target.breached, 0)), ...targets };
}

const emptySums: Sums = {
  created: 0, resolved: 0, reopened: 0, escalated: 0, backlog_delta: 0, messages_in: 0, messages_out: 0,
  frt_count: 0, frt_mean: null, resolution_count: 0, resolution_mean: null,
  csat_count: 0, csat_mean: null, nps_count: 0, nps_promoters: 0, nps_detractors: 0,
  sla_first_response_achieved: 0, sla_first_response_breached: 0, sla_next_response_achieved: 0, sla_next_response_breached: 0,
  sla_resolution_achieved: 0, sla_resolution_breached: 0, frt_business_count: 0, frt_business_mean: null, resolution_business_count: 0, resolution_business_mean: null,
};
