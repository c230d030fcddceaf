import type { EntityManager } from '@mikro-orm/postgresql';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { WebhookAttemptOutcomeEnum } from '../management/webhook-delivery.type';
import { ListSize } from '../../../policies/cost/cost-directives';

export enum StatsWindowEnum {
  HOUR = 'HOUR',
  DAY = 'DAY',
  WEEK = 'WEEK',
}
registerEnumType(StatsWindowEnum, { name: 'WebhookStatsWindow', description: 'The last hour, day (24 hours) or week (7 days), up to now.' });

const windowMs: Record<StatsWindowEnum, number> = { HOUR: 3_600_000, DAY: 86_400_000, WEEK: 7 * 86_400_000 };

@ObjectType('WebhookOutcomeCount')
export class WebhookOutcomeCountType {
  @Field(() => WebhookAttemptOutcomeEnum)
  outcome!: WebhookAttemptOutcomeEnum;

  @Field(() => Int)
  count!: number;
}

@ObjectType('WebhookEndpointStats', { description: 'What the endpoint’s attempts in a window came to; every attempt counts, retries included.' })
export class WebhookEndpointStatsType {
  @Field(() => StatsWindowEnum)
  window!: StatsWindowEnum;

  @Field(() => Date, { description: 'The window’s start: attempts started at or after it count.' })
  since!: Date;

  @Field(() => Int)
  attemptCount!: number;

  @Field(() => Int, { description: 'Attempts answered 2xx.' })
  successCount!: number;

  @Field(() => Int)
  failureCount!: number;

  @Field(() => Float, { nullable: true, description: 'successCount / attemptCount; null without attempts.' })
  successRate!: number | null;

  @Field(() => [WebhookOutcomeCountType], { description: 'Failed attempts by kind, most frequent first; kinds that did not happen are left out.' })
  @ListSize({ assumedSize: Object.keys(WebhookAttemptOutcomeEnum).length })
  failuresByOutcome!: WebhookOutcomeCountType[];

  @Field(() => Int, { nullable: true, description: 'Median attempt duration in milliseconds (a real attempt’s, not interpolated); null without attempts.' })
  p50LatencyMs!: number | null;

  @Field(() => Int, { nullable: true, description: '95th percentile attempt duration in milliseconds; null without attempts.' })
  p95LatencyMs!: number | null;
}

/** One statement over the endpoint's attempts of the window (webhook_attempts_endpoint_index). */
export async function endpointStats(em: EntityManager, workspaceId: string, endpointId: string, window: StatsWindowEnum, now = new Date()): Promise<WebhookEndpointStatsType> {
  const since = new Date(now.getTime() - windowMs[window]);
  const [row] = await em.execute<{ attempt_count: number; p50: number | null; p95: number | null; by_outcome: Record<string, number> }[]>(
    `with attempts as (
       select outcome, duration_ms from webhook_attempts where endpoint_id = ? and workspace_id = ? and started_at >= ?)
     select (select count(*) from attempts)::int as attempt_count,
            (select percentile_disc(0.5) within group (order by duration_ms) from attempts) as p50,
            (select percentile_disc(0.95) within group (order by duration_ms) from attempts) as p95,
            (select coalesce(jsonb_object_agg(outcome, n), '{}'::jsonb) from (select outcome, count(*)::int as n from attempts group by outcome) o) as by_outcome`,
    [endpointId, workspaceId, since],
  );
  const successCount = row.by_outcome.succeeded ?? 0;
  const failuresByOutcome = Object.entries(row.by_outcome)
    .filter(([outcome]) => outcome !== 'succeeded')
    .map(([outcome, count]) => ({ outcome: outcome as WebhookAttemptOutcomeEnum, count }))
    .sort((a, b) => b.count - a.count || a.outcome.localeCompare(b.outcome));
  return {
    window,
    since,
    attemptCount: row.attempt_count,
    successCount,
    failureCount: row.attempt_count - successCount,
    successRate: row.attempt_count > 0 ? successCount / row.attempt_count : null,
    failuresByOutcome,
    p50LatencyMs: row.p50,
    p95LatencyMs: row.p95,
  };
}
