import { Field, ID, InputType, registerEnumType } from 'type-graphql';
import { ChannelEnum, ConversationPriorityEnum } from '../conversations/conversation.enums';

export enum AnalyticsInterval {
  HOUR = 'hour',
  DAY = 'day',
  WEEK = 'week',
  MONTH = 'month',
}
registerEnumType(AnalyticsInterval, { name: 'AnalyticsInterval', description: 'Bucket size; buckets follow the wall clock of the chosen time zone (a DST day is 23 or 25 hours; weeks start on Monday).' });

export enum AnalyticsGroupBy {
  CHANNEL = 'channel',
  STATUS = 'status',
  PRIORITY = 'priority',
  ASSIGNEE = 'assignee_id',
  TEAM = 'team_id',
  TAG = 'tag',
  INBOX = 'inbox',
}
registerEnumType(AnalyticsGroupBy, {
  name: 'AnalyticsGroupBy',
  description: "Groups by the conversation's current value. A conversation with several tags counts in each tag's group; one with none in the group whose key is null.",
});

@InputType('AnalyticsRange', { description: 'A half-open time range: from ≤ t < to.' })
export class AnalyticsRangeInput {
  @Field(() => Date, { description: 'Inclusive.' })
  from!: Date;

  @Field(() => Date, { description: 'Exclusive.' })
  to!: Date;
}

@InputType('AnalyticsFilter', { description: 'Every list narrows to conversations matching any of its values; lists combine with AND.' })
export class AnalyticsFilterInput {
  @Field(() => [ChannelEnum], { nullable: true })
  channels?: ChannelEnum[] | null;

  @Field(() => [ConversationPriorityEnum], { nullable: true })
  priorities?: ConversationPriorityEnum[] | null;

  @Field(() => [String], { nullable: true })
  inboxes?: string[] | null;

  @Field(() => [ID], { nullable: true })
  teamIds?: string[] | null;

  @Field(() => [ID], { nullable: true })
  assigneeIds?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Conversations carrying any of these tags.' })
  tags?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Conversations whose customer carries any of these tags.' })
  customerTags?: string[] | null;
}
