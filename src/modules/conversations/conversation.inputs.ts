import { Field, ID, InputType, Int } from 'type-graphql';
import { ExpectedVersionField } from '../../policies/concurrency/expected-version';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ChannelEnum, ConversationPriorityEnum, ConversationStatusEnum, MessageAuthorTypeEnum } from './conversation.enums';
import { Cost, defaultMutationWeight } from '../../policies/cost/cost-directives';
import { IdempotencyKeyField } from '../../policies/idempotency/idempotency-key-field';


@InputType('ExternalRefInput')
export class ExternalRefInput {
  @Field(() => String, { description: '1..50 characters, e.g. `salesforce`.' })
  system!: string;

  @Field(() => String, { description: '1..255 characters; unique per system in the workspace.' })
  externalId!: string;

  @Field(() => String, { nullable: true })
  url?: string | null;
}

@InputType('ExternalIdInput', { description: 'An id in another system.' })
export class ExternalIdInput {
  @Field(() => String)
  system!: string;

  @Field(() => String)
  externalId!: string;
}

@InputType('CustomerReferenceInput', { description: 'Exactly one of id, email or externalId. Email and externalId create the customer when none matches.' })
export class CustomerReferenceInput {
  @Field(() => ID, { nullable: true })
  id?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => ExternalIdInput, { nullable: true })
  externalId?: ExternalIdInput | null;
}

@InputType('AttachmentInput')
export class AttachmentInput {
  @Field(() => String)
  filename!: string;

  @Field(() => String)
  contentType!: string;

  @Field(() => Int)
  sizeBytes!: number;

  @Field(() => String, { nullable: true })
  url?: string | null;
}

@InputType('MessageContentInput')
export class MessageContentInput {
  @Field(() => MessageAuthorTypeEnum, { defaultValue: MessageAuthorTypeEnum.CUSTOMER })
  authorType!: MessageAuthorTypeEnum;

  @Field(() => ID, { nullable: true, description: 'Required when authorType is AGENT.' })
  authorAgentId?: string | null;

  @Field(() => String, { description: '1..10000 characters.' })
  body!: string;

  @Field(() => [AttachmentInput], { nullable: true, description: 'At most 10.' })
  attachments?: AttachmentInput[] | null;
}

@InputType('ConversationCreateInput')
export class ConversationCreateInput {
  @Field(() => String, { description: '1..255 characters.' })
  subject!: string;

  @Field(() => ChannelEnum)
  channel!: ChannelEnum;

  @Field(() => ConversationPriorityEnum, { defaultValue: ConversationPriorityEnum.NORMAL })
  priority!: ConversationPriorityEnum;

  @Field(() => String, { nullable: true })
  inbox?: string | null;

  @Field(() => CustomerReferenceInput, { nullable: true })
  customer?: CustomerReferenceInput | null;

  @Field(() => MessageContentInput, { nullable: true, description: 'The opening message.' })
  firstMessage?: MessageContentInput | null;

  @Field(() => [String], { nullable: true, description: 'At most 20 tags of 1..50 characters.' })
  tags?: string[] | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'At most 16 KB of JSON.' })
  metadata?: Record<string, unknown> | null;

  @Field(() => [ExternalRefInput], { nullable: true, description: 'At most 20.' })
  externalRefs?: ExternalRefInput[] | null;

  @Field(() => ID, { nullable: true })
  assigneeId?: string | null;

  @Field(() => ID, { nullable: true })
  teamId?: string | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('ConversationChangesInput', { description: 'Absent fields stay as they are.' })
export class ConversationChangesInput {
  @Field(() => String, { nullable: true })
  subject?: string | null;

  @Field(() => ConversationStatusEnum, { nullable: true, description: 'Follows the status state machine.' })
  status?: ConversationStatusEnum | null;

  @Field(() => ConversationPriorityEnum, { nullable: true })
  priority?: ConversationPriorityEnum | null;

  @Field(() => [String], { nullable: true })
  tagsAdd?: string[] | null;

  @Field(() => [String], { nullable: true })
  tagsRemove?: string[] | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Merged into metadata; a null value removes that key.' })
  metadataMerge?: Record<string, unknown> | null;

  @Field(() => [ExternalRefInput], { nullable: true, description: 'Added, or updated by (system, externalId).' })
  externalRefsAdd?: ExternalRefInput[] | null;

  @Field(() => ID, { nullable: true, description: 'Assign to this agent (conversationAssign also unassigns).' })
  assigneeId?: string | null;

  @ExpectedVersionField()
  expectedVersion?: number | null;
}

@InputType('ConversationUpdateInput')
export class ConversationUpdateInput extends ConversationChangesInput {
  @Field(() => ID)
  id!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('ConversationAssignInput')
export class ConversationAssignInput {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: 'null unassigns.' })
  assigneeId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The assignee’s own team when the assignee has one (BAD_USER_INPUT otherwise); null removes the team.' })
  teamId?: string | null;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('ConversationEscalateInput')
export class ConversationEscalateInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Why, 1..1000 characters.' })
  reason!: string;

  @Field(() => ConversationPriorityEnum, { nullable: true, description: 'Defaults to raising the priority to HIGH when lower.' })
  priority?: ConversationPriorityEnum | null;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('ConversationStatusChangeInput', { description: 'For conversationResolve and conversationReopen.' })
export class ConversationStatusChangeInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('MessageCreateInput')
export class MessageCreateInput extends MessageContentInput {
  @Field(() => ID)
  conversationId!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('ConversationNoteCreateInput')
export class ConversationNoteCreateInput {
  @Field(() => ID)
  conversationId!: string;

  @Field(() => String, { description: '1..10000 characters.' })
  body!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('SatisfactionFeedbackCreateInput', { description: 'At least one of rating and npsScore.' })
export class SatisfactionFeedbackCreateInput {
  @Field(() => ID)
  conversationId!: string;

  @Field(() => Int, { nullable: true, description: 'CSAT, 1..5.' })
  rating?: number | null;

  @Field(() => Int, { nullable: true, description: 'Net Promoter Score answer, 0..10.' })
  npsScore?: number | null;

  @Field(() => String, { nullable: true, description: 'At most 10000 characters.' })
  comment?: string | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('ConversationBatchOperationInput', { description: 'One update in conversationsBatchUpdate.' })
export class ConversationBatchOperationInput extends ConversationChangesInput {
  @Field(() => ID)
  id!: string;
}

@InputType('ConversationsBatchUpdateInput')
export class ConversationsBatchUpdateInput {
  @Field(() => [ConversationBatchOperationInput], { description: '1..100 operations, applied in order, each on its own. Each costs 10 points, as a mutation does.' })
  @Cost(defaultMutationWeight)
  operations!: ConversationBatchOperationInput[];

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}
