import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ExpectedVersionField } from '../../policies/concurrency/expected-version';
import { ChannelEnum, ConversationPriorityEnum } from '../conversations/conversation.enums';
import { IdempotencyKeyField } from '../../policies/idempotency/idempotency-key-field';
import { ListSize } from '../../policies/cost/cost-directives';
import type { BusinessCalendar, SlaPolicy } from './sla.entities';
import type { TargetState } from './sla-evaluation';

export enum SlaStatusEnum {
  PENDING = 'PENDING',
  PAUSED = 'PAUSED',
  ACHIEVED = 'ACHIEVED',
  BREACHED = 'BREACHED',
}
registerEnumType(SlaStatusEnum, {
  name: 'SlaStatus',
  description: 'PENDING: not met, not yet due. PAUSED: not met, its clock stopped while the conversation is PENDING (pauseWhilePending). ACHIEVED: met by its due time. BREACHED: met late, or due and unmet.',
});

@ObjectType('BusinessHours')
export class BusinessHoursType {
  @Field(() => Int, { description: 'ISO weekday: 1 Monday … 7 Sunday.' })
  day!: number;

  @Field(() => String, { description: 'HH:MM local time.' })
  opens!: string;

  @Field(() => String, { description: 'HH:MM local time, after opens.' })
  closes!: string;
}

@InputType('BusinessHoursInput')
export class BusinessHoursInput {
  @Field(() => Int)
  day!: number;

  @Field(() => String)
  opens!: string;

  @Field(() => String)
  closes!: string;
}

@ObjectType('BusinessCalendar', { description: 'When the workspace is open: SLA targets in business hours count only this time.' })
export class BusinessCalendarType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'IANA zone, e.g. Europe/Berlin: opening hours are its wall-clock times, DST included.' })
  timeZone!: string;

  @Field(() => [BusinessHoursType])
  @ListSize({ assumedSize: 14 })
  weeklyHours!: BusinessHoursType[];

  @Field(() => [String], { description: 'Local dates YYYY-MM-DD when nothing is open.' })
  holidays!: string[];
}

@InputType('BusinessCalendarCreateInput')
export class BusinessCalendarCreateInput {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  timeZone!: string;

  @Field(() => [BusinessHoursInput])
  weeklyHours!: BusinessHoursInput[];

  @Field(() => [String], { defaultValue: [] })
  holidays!: string[];

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@ObjectType('BusinessCalendarCreatePayload')
export class BusinessCalendarCreatePayload {
  @Field(() => BusinessCalendarType)
  businessCalendar!: BusinessCalendarType;
}

@ObjectType('SlaTargets')
@InputType('SlaTargetsInput')
export class SlaTargetsType {
  @Field(() => ConversationPriorityEnum)
  priority!: ConversationPriorityEnum;

  @Field(() => Int, { nullable: true, description: 'Minutes from creation to the first agent reply.' })
  firstResponseMinutes!: number | null;

  @Field(() => Int, { nullable: true, description: 'Minutes from a customer message left unanswered (after a first reply) to the next reply.' })
  nextResponseMinutes!: number | null;

  @Field(() => Int, { nullable: true, description: 'Minutes from creation to resolution.' })
  resolutionMinutes!: number | null;
}

@ObjectType('SlaConditions')
@InputType('SlaConditionsInput')
export class SlaConditionsType {
  @Field(() => [ConversationPriorityEnum], { nullable: true })
  priorities?: ConversationPriorityEnum[] | null;

  @Field(() => [ChannelEnum], { nullable: true })
  channels?: ChannelEnum[] | null;

  @Field(() => [String], { nullable: true })
  inboxes?: string[] | null;

  @Field(() => [ID], { nullable: true })
  teamIds?: string[] | null;
}

@ObjectType('SlaPolicy', { description: 'Targets per priority for the conversations its conditions select; the first policy by position applies.' })
export class SlaPolicyType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Raised by one with every change of a setting; send it back as expectedVersion to update only what you read.' })
  version!: number;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  position!: number;

  @Field(() => SlaConditionsType)
  conditions!: SlaConditionsType;

  @Field(() => [SlaTargetsType])
  @ListSize({ assumedSize: 4 })
  targets!: SlaTargetsType[];

  @Field(() => ID, { nullable: true, description: 'Business hours the targets count in; null for calendar hours.' })
  businessCalendarId!: string | null;

  @Field(() => Int)
  warnBeforeMinutes!: number;

  @Field(() => Boolean, { description: 'Time the conversation spends in PENDING (waiting on the customer) does not count toward its targets.' })
  pauseWhilePending!: boolean;
}

@InputType('SlaPolicyCreateInput')
export class SlaPolicyCreateInput {
  @Field(() => String)
  name!: string;

  @Field(() => Int, { nullable: true, description: 'Lower first; after the others when absent.' })
  position?: number | null;

  @Field(() => SlaConditionsType, { nullable: true })
  conditions?: SlaConditionsType | null;

  @Field(() => [SlaTargetsType])
  targets!: SlaTargetsType[];

  @Field(() => ID, { nullable: true })
  businessCalendarId?: string | null;

  @Field(() => Int, { nullable: true, description: 'When conversation.sla_warning comes before the due time; 15 by default.' })
  warnBeforeMinutes?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Time in PENDING does not count toward the targets. Default false.' })
  pauseWhilePending?: boolean | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('SlaPolicyUpdateInput', { description: 'Absent fields stay as they are; targets replace all targets.' })
export class SlaPolicyUpdateInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int, { nullable: true })
  position?: number | null;

  @Field(() => SlaConditionsType, { nullable: true })
  conditions?: SlaConditionsType | null;

  @Field(() => [SlaTargetsType], { nullable: true })
  targets?: SlaTargetsType[] | null;

  @Field(() => ID, { nullable: true })
  businessCalendarId?: string | null;

  @Field(() => Int, { nullable: true })
  warnBeforeMinutes?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Time in PENDING does not count toward the targets. Default false.' })
  pauseWhilePending?: boolean | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('SlaPolicyDeleteInput')
export class SlaPolicyDeleteInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@ObjectType('SlaPolicyPayload')
export class SlaPolicyPayload {
  @Field(() => SlaPolicyType)
  slaPolicy!: SlaPolicyType;
}

@ObjectType('SlaPolicyDeletePayload')
export class SlaPolicyDeletePayload {
  @Field(() => ID)
  deletedSlaPolicyId!: string;
}

@ObjectType('SlaTargetState')
export class SlaTargetStateType {
  @Field(() => Date, { description: 'While PAUSED: when it would be due if the conversation left PENDING now.' })
  dueAt!: Date;

  @Field(() => Date, { nullable: true })
  achievedAt!: Date | null;

  @Field(() => SlaStatusEnum)
  status!: SlaStatusEnum;
}

@ObjectType('ConversationSla', { description: 'The policy that applies to the conversation now, and each of its targets.' })
export class ConversationSlaType {
  @Field(() => SlaPolicyType)
  policy!: SlaPolicyType;

  @Field(() => SlaTargetStateType, { nullable: true })
  firstResponse!: SlaTargetStateType | null;

  @Field(() => SlaTargetStateType, { nullable: true, description: 'While a customer message waits for a reply after the first one.' })
  nextResponse!: SlaTargetStateType | null;

  @Field(() => SlaTargetStateType, { nullable: true })
  resolution!: SlaTargetStateType | null;
}

export const toCalendarType = (calendar: BusinessCalendar): BusinessCalendarType => ({
  id: calendar.id, name: calendar.name, timeZone: calendar.timeZone, weeklyHours: calendar.weeklyHours.map((hours) => ({ ...hours })), holidays: calendar.holidays,
});

export const toPolicyType = (policy: SlaPolicy): SlaPolicyType => ({
  id: policy.id, version: policy.version, name: policy.name, position: policy.position, businessCalendarId: policy.calendarId, warnBeforeMinutes: policy.warnBeforeMinutes,
  pauseWhilePending: policy.pauseWhilePending,
  conditions: {
    priorities: (policy.conditions.priorities as ConversationPriorityEnum[] | undefined) ?? null, channels: (policy.conditions.channels as ChannelEnum[] | undefined) ?? null,
    inboxes: policy.conditions.inboxes ? [...policy.conditions.inboxes] : null, teamIds: policy.conditions.teamIds ? [...policy.conditions.teamIds] : null,
  },
  targets: Object.entries(policy.targets).map(([priority, targets]) => ({ priority: priority as ConversationPriorityEnum, ...targets })),
});

export const toTargetStateType = (state: TargetState | undefined): SlaTargetStateType | null => (state ? { dueAt: state.dueAt, achievedAt: state.achievedAt, status: state.status as SlaStatusEnum } : null);
