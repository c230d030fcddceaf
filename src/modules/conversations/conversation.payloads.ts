import { BatchOperationErrorType } from '../../policies/batch/batch-operations';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConversationNoteType, ConversationType, MessageType } from './conversation.type';
import { Cost } from '../../policies/cost/cost-directives';

/** `<Name>Payload { conversation }`, the shape of every single-conversation mutation. */
function conversationPayload(name: string) {
  @ObjectType(name)
  class Payload {
    @Field(() => ConversationType)
    conversation!: ConversationType;
  }
  return Payload;
}

export const ConversationCreatePayload = conversationPayload('ConversationCreatePayload');
export const ConversationUpdatePayload = conversationPayload('ConversationUpdatePayload');
export const ConversationAssignPayload = conversationPayload('ConversationAssignPayload');
export const ConversationEscalatePayload = conversationPayload('ConversationEscalatePayload');
export const ConversationResolvePayload = conversationPayload('ConversationResolvePayload');
export const ConversationReopenPayload = conversationPayload('ConversationReopenPayload');

@ObjectType('MessageCreatePayload')
export class MessageCreatePayload {
  @Field(() => MessageType)
  message!: MessageType;

  @Field(() => ConversationType)
  conversation!: ConversationType;
}

@ObjectType('ConversationNoteCreatePayload')
export class ConversationNoteCreatePayload {
  @Field(() => ConversationNoteType)
  note!: ConversationNoteType;
}

@ObjectType('SatisfactionFeedback', { description: 'A customer rating of one conversation.' })
export class SatisfactionFeedbackType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  conversationId!: string;

  @Field(() => Int, { nullable: true, description: 'CSAT, 1..5.' })
  rating!: number | null;

  @Field(() => Int, { nullable: true, description: 'NPS answer, 0..10.' })
  npsScore!: number | null;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType('SatisfactionFeedbackCreatePayload')
export class SatisfactionFeedbackCreatePayload {
  @Field(() => SatisfactionFeedbackType)
  feedback!: SatisfactionFeedbackType;
}

@Cost(0)
@ObjectType('ConversationBatchResult', { description: 'The outcome of one operation: conversation when applied, error when not.' })
export class ConversationBatchResultType {
  @Field(() => Int, { description: 'Position in `operations`.' })
  index!: number;

  @Field(() => ID)
  id!: string;

  // The conversation the write itself returned: nothing is read for it.
  @Field(() => ConversationType, { nullable: true })
  @Cost(0)
  conversation!: ConversationType | null;

  @Field(() => BatchOperationErrorType, { nullable: true })
  error!: BatchOperationErrorType | null;
}

@ObjectType('ConversationsBatchUpdatePayload')
export class ConversationsBatchUpdatePayload {
  @Field(() => [ConversationBatchResultType])
  results!: ConversationBatchResultType[];

  @Field(() => Int)
  appliedCount!: number;

  @Field(() => Int)
  failedCount!: number;
}
