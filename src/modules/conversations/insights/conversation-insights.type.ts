import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../../../platform/pagination';
import { idOf } from '../../../platform/database/plain-rows';
import { ConversationStatusEnum } from '../conversation.enums';
import { SatisfactionFeedbackType } from '../conversation.payloads';
import type { SatisfactionFeedback } from '../activity/satisfaction-feedback.entity';
import type { ConversationStatistics } from './conversation-insights.loaders';
import type { ConversationStatusChangeRow } from './conversation-status-change.entity';

const secondsBetween = (from: Date, to: Date | null) => (to ? Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000)) : null);

@ObjectType('ConversationStatistics', { description: 'Times and counts of one conversation, as Intercom and Zendesk report them; durations in seconds.' })
export class ConversationStatisticsType {
  @Field(() => Date, { nullable: true, description: 'When an agent was first assigned; null if never, or before this was recorded.' })
  firstAssignedAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'createdAt → firstAssignedAt.' })
  timeToFirstAssignmentSeconds!: number | null;

  @Field(() => Date, { nullable: true, description: 'The first agent or bot message.' })
  firstResponseAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'createdAt → firstResponseAt.' })
  timeToFirstResponseSeconds!: number | null;

  @Field(() => Date, { nullable: true, description: 'The latest agent or bot message.' })
  lastAgentReplyAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'The latest customer message.' })
  lastCustomerMessageAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'The first customer message no agent has answered yet; null when none waits, or once resolved.' })
  waitingSince!: Date | null;

  @Field(() => Int, { description: 'Times it went from RESOLVED back to OPEN.' })
  reopenCount!: number;

  @Field(() => Int, { description: 'Time spent OPEN or ESCALATED, up to now: the time it needed someone.' })
  handlingTimeSeconds!: number;

  @Field(() => Int, { description: 'Time spent PENDING, up to now: the time it waited on the customer.' })
  pendingTimeSeconds!: number;

  @Field(() => Int, { description: 'Agent and bot messages.' })
  agentReplyCount!: number;

  @Field(() => Int, { description: 'Customer messages.' })
  customerMessageCount!: number;

  @Field(() => Int, { nullable: true, description: 'createdAt → resolvedAt of the latest resolution; null while unresolved.' })
  resolutionTimeSeconds!: number | null;
}

export function toStatisticsType(statistics: ConversationStatistics): ConversationStatisticsType {
  const { createdAt, firstAssignedAt, firstResponseAt, lastAgentReplyAt, lastCustomerMessageAt, waitingSince, reopenCount, resolvedAt, agentReplyCount, customerMessageCount } = statistics;
  return {
    firstAssignedAt, firstResponseAt, lastAgentReplyAt, lastCustomerMessageAt, waitingSince, reopenCount, agentReplyCount, customerMessageCount,
    pendingTimeSeconds: Math.round(statistics.pendingMs / 1000),
    timeToFirstAssignmentSeconds: secondsBetween(createdAt, firstAssignedAt),
    timeToFirstResponseSeconds: secondsBetween(createdAt, firstResponseAt),
    handlingTimeSeconds: Math.round(statistics.handlingMs / 1000),
    resolutionTimeSeconds: secondsBetween(createdAt, resolvedAt),
  };
}

@ObjectType('SatisfactionScore', { description: 'One answer: a CSAT rating (1..5) or an NPS score (0..10).' })
export class SatisfactionScoreType {
  @Field(() => Int)
  score!: number;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => ID, { description: 'The `csat_…` feedback it came with.' })
  feedbackId!: string;
}

@ObjectType('ConversationRating', { description: 'The latest CSAT and the latest NPS answer about the conversation.' })
export class ConversationRatingType {
  @Field(() => SatisfactionScoreType, { nullable: true })
  csat!: SatisfactionScoreType | null;

  @Field(() => SatisfactionScoreType, { nullable: true })
  nps!: SatisfactionScoreType | null;
}

@ObjectType('ConversationStatusChange', { description: 'One status change, as the history records it on every write path.' })
export class ConversationStatusChangeType {
  @Field(() => ConversationStatusEnum, { nullable: true, description: 'null for the opening.' })
  from!: ConversationStatusEnum | null;

  @Field(() => ConversationStatusEnum)
  to!: ConversationStatusEnum;

  @Field(() => Date)
  changedAt!: Date;
}

export const ConversationStatusChangeConnection = connectionType('ConversationStatusChange', ConversationStatusChangeType);

export const toStatusChangeType = (change: ConversationStatusChangeRow): ConversationStatusChangeType => ({
  from: change.fromStatus as ConversationStatusEnum | null,
  to: change.toStatus as ConversationStatusEnum,
  changedAt: change.changedAt,
});

export const SatisfactionFeedbackConnection = connectionType('SatisfactionFeedback', SatisfactionFeedbackType);

export const toSatisfactionFeedbackType = (feedback: SatisfactionFeedback | (Omit<SatisfactionFeedback, 'conversation'> & { conversation: string })): SatisfactionFeedbackType => ({
  id: feedback.id,
  conversationId: idOf(feedback.conversation)!,
  rating: feedback.rating,
  npsScore: feedback.npsScore,
  comment: feedback.comment,
  createdAt: feedback.createdAt,
});

@InputType('SatisfactionFeedbackFilter', { description: 'All given conditions must hold.' })
export class SatisfactionFeedbackFilterInput {
  @Field(() => [ID], { nullable: true })
  conversationIds?: string[] | null;

  @Field(() => [ID], { nullable: true })
  customerIds?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'CSAT at least this (answers without a CSAT are left out).' })
  minRating?: number | null;

  @Field(() => Int, { nullable: true, description: 'CSAT at most this.' })
  maxRating?: number | null;

  @Field(() => Date, { nullable: true, description: 'Inclusive.' })
  createdAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Exclusive.' })
  createdBefore?: Date | null;
}
