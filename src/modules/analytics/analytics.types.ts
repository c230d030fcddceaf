import { Field, Float, Int, ObjectType } from 'type-graphql';
import { AnalyticsGroupBy, AnalyticsInterval } from './analytics.inputs';
import { Cost } from '../../policies/cost/cost-directives';

@Cost(0)
@ObjectType({
  description:
    'Durations in seconds; null when count is 0. count and meanSeconds are exact. medianSeconds and p90Seconds are the nearest-rank percentiles ' +
    '(the smallest duration with at least that share of durations at or below it) read from logarithmic histograms: within 1% of the exact value (1 ms for durations under a millisecond).',
})
export class DurationStats {
  @Field(() => Int)
  count!: number;

  @Field(() => Float, { nullable: true })
  meanSeconds!: number | null;

  @Field(() => Float, { nullable: true })
  medianSeconds!: number | null;

  @Field(() => Float, { nullable: true })
  p90Seconds!: number | null;
}

@Cost(0)
@ObjectType({ description: 'Satisfaction ratings (1–5) given in the range.' })
export class CsatStats {
  @Field(() => Int)
  responses!: number;

  @Field(() => Float, { nullable: true })
  meanRating!: number | null;
}

@Cost(0)
@ObjectType({ description: 'NPS answers (0–10) given in the range: promoters 9–10, detractors 0–6.' })
export class NpsStats {
  @Field(() => Int)
  responses!: number;

  @Field(() => Int)
  promoters!: number;

  @Field(() => Int)
  detractors!: number;

  @Field(() => Float, { nullable: true, description: 'Promoters % − detractors %, from −100 to 100; null without responses.' })
  score!: number | null;
}

@Cost(0)
@ObjectType({ description: 'SLA targets of one kind settled in the range: met by their due time, or breached (counted at the due time).' })
export class SlaTargetAchievement {
  @Field(() => Int)
  achieved!: number;

  @Field(() => Int)
  breached!: number;

  @Field(() => Float, { nullable: true, description: 'achieved ÷ (achieved + breached), 0 to 1; null when none settled.' })
  achievementRate!: number | null;
}

@Cost(0)
@ObjectType({ description: 'SLA outcomes settled in the range, all targets together and per target. Recorded by the SLA check (docs/sla.md), so the latest ones appear within one check interval.' })
export class SlaAchievement extends SlaTargetAchievement {
  @Field(() => SlaTargetAchievement)
  firstResponse!: SlaTargetAchievement;

  @Field(() => SlaTargetAchievement)
  nextResponse!: SlaTargetAchievement;

  @Field(() => SlaTargetAchievement)
  resolution!: SlaTargetAchievement;
}

@Cost(0)
@ObjectType({ description: 'Support figures over a range. docs/analytics.md defines each one.' })
export class AnalyticsMetrics {
  @Field(() => Int, { description: 'Conversations created in the range.' })
  conversationsCreated!: number;

  @Field(() => Int, { description: 'Resolutions in the range: a conversation resolved, reopened and resolved again counts twice.' })
  conversationsResolved!: number;

  @Field(() => Int, { description: 'Resolved conversations moved back to another status in the range.' })
  conversationsReopened!: number;

  @Field(() => Int, { description: 'Moves to ESCALATED in the range.' })
  escalations!: number;

  @Field(() => Int, { description: 'Conversations not resolved at the end of the range.' })
  openBacklog!: number;

  @Field(() => Float, { nullable: true, description: 'Resolutions ÷ (backlog at the start + created + reopened): the share of the work on hand that got resolved, 0 to 1. Null when there was none.' })
  resolutionRate!: number | null;

  @Field(() => DurationStats, { description: 'First responses in the range (timestamped by the first agent or bot message): seconds from creation.' })
  firstResponseTime!: DurationStats;

  @Field(() => DurationStats, { description: 'Resolutions in the range: seconds from creation to that resolution.' })
  resolutionTime!: DurationStats;

  @Field(() => DurationStats, {
    description: 'First responses in the range of conversations under an SLA policy: seconds of open time in the policy’s business calendar from creation (all time for a policy without one).',
  })
  firstResponseBusinessTime!: DurationStats;

  @Field(() => DurationStats, { description: 'Resolutions in the range of conversations under an SLA policy: seconds of open time in the policy’s business calendar from creation.' })
  resolutionBusinessTime!: DurationStats;

  @Field(() => SlaAchievement)
  sla!: SlaAchievement;

  @Field(() => Int, { description: 'Customer messages in the range.' })
  messagesIn!: number;

  @Field(() => Int, { description: 'Agent and bot messages in the range (system messages count in neither).' })
  messagesOut!: number;

  @Field(() => CsatStats)
  csat!: CsatStats;

  @Field(() => NpsStats)
  nps!: NpsStats;
}

@Cost(0)
@ObjectType({ description: 'One group of a grouped series, in the order its points come.' })
export class AnalyticsGroup {
  @Field(() => String, { nullable: true, description: 'The value (an enum name, an id, a tag or an inbox); null for conversations without one, and for the other group.' })
  key!: string | null;

  @Field(() => Boolean, { description: 'True for the group that sums every value beyond the top groups.' })
  isOther!: boolean;
}

@ObjectType()
export class SeriesPoint {
  @Field(() => Date, { description: 'Bucket start, clipped to the range.' })
  start!: Date;

  @Field(() => Date, { description: 'Bucket end (exclusive), clipped to the range.' })
  end!: Date;

  @Field(() => String, { nullable: true, description: 'As AnalyticsGroup.key; null when not grouped.' })
  group!: string | null;

  @Field(() => Boolean)
  isOther!: boolean;

  @Field(() => AnalyticsMetrics)
  metrics!: AnalyticsMetrics;
}

@ObjectType({ description: 'Every bucket of the range, empty ones included with zeros; grouped, every group in every bucket.' })
export class ConversationSeries {
  @Field(() => AnalyticsInterval)
  interval!: AnalyticsInterval;

  @Field(() => String)
  timeZone!: string;

  @Field(() => AnalyticsGroupBy, { nullable: true })
  groupBy!: AnalyticsGroupBy | null;

  @Field(() => [AnalyticsGroup])
  groups!: AnalyticsGroup[];

  @Field(() => [SeriesPoint], { description: 'Ordered by bucket, then by group as in groups.' })
  points!: SeriesPoint[];
}

@ObjectType({ description: 'Support figures for BI dashboards (analytics:read).' })
export class Analytics {}
