import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { idOf } from '../../platform/database/plain-rows';
import { NodeInterface } from '../../platform/node';
import { connectionType } from '../../platform/pagination';
import type { Conversation, ConversationRow } from './conversation.entity';
import type { ConversationNote, ConversationNoteRow } from './activity/conversation-note.entity';
import type { Message, MessageRow } from './activity/message.entity';
import { ChannelEnum, ConversationPriorityEnum, ConversationStatusEnum, MessageAuthorTypeEnum } from './conversation.enums';
import { Cost } from '../../policies/cost/cost-directives';

@Cost(0)
@ObjectType('ExternalRef', { description: 'The same ticket in another system (CRM, helpdesk), for two-way sync.' })
export class ExternalRefType {
  @Field(() => String, { description: 'e.g. `salesforce`, `zendesk`, `hubspot`.' })
  system!: string;

  @Field(() => String)
  externalId!: string;

  @Field(() => String, { nullable: true })
  url!: string | null;
}

@ObjectType('Conversation', { implements: NodeInterface, description: 'A support conversation (ticket) with one customer.' })
export class ConversationType {
  @Field(() => ID, { description: 'Global id `conv_…`, also accepted by `node(id)`.' })
  id!: string;

  @Field(() => Int, { description: 'Raised by one with every change; pass it as expectedVersion to change only what you read (CONFLICT otherwise).' })
  version!: number;

  @Field(() => String)
  subject!: string;

  @Field(() => ConversationStatusEnum)
  status!: ConversationStatusEnum;

  @Field(() => ConversationPriorityEnum)
  priority!: ConversationPriorityEnum;

  @Field(() => ChannelEnum)
  channel!: ChannelEnum;

  @Field(() => String, { nullable: true })
  inbox!: string | null;

  @Field(() => [String])
  tags!: string[];

  @Field(() => GraphQLJSONObject, { description: 'Free-form JSON for integrations, at most 16 KB.' })
  metadata!: Record<string, unknown>;

  @Field(() => [ExternalRefType])
  externalRefs!: ExternalRefType[];

  @Field(() => String, { nullable: true, description: 'Why it was last escalated.' })
  escalationReason!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { description: 'Last message or status change.' })
  lastActivityAt!: Date;

  @Field(() => Date, { nullable: true, description: 'First message by an agent or bot.' })
  firstResponseAt!: Date | null;

  @Field(() => Date, { nullable: true })
  resolvedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Set only on tombstones, which `conversations(includeDeleted: true)` lists: the conversation was deleted then. A tombstone keeps its id, status, priority, channel and createdAt; its other fields are empty.',
  })
  deletedAt!: Date | null;

  customerId!: string | null;
  assigneeId!: string | null;
  teamId!: string | null;
}

@Cost(0)
@ObjectType('Attachment', { description: 'Metadata of a file sent with a message; the file itself lives elsewhere.' })
export class AttachmentType {
  @Field(() => String)
  filename!: string;

  @Field(() => String)
  contentType!: string;

  @Field(() => Int, { description: 'Size in bytes.' })
  sizeBytes!: number;

  @Field(() => String, { nullable: true })
  url!: string | null;
}

@ObjectType('Message', { implements: NodeInterface, description: 'One message in a conversation.' })
export class MessageType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  conversationId!: string;

  @Field(() => MessageAuthorTypeEnum)
  authorType!: MessageAuthorTypeEnum;

  @Field(() => ID, { nullable: true, description: 'The agent, when authorType is AGENT.' })
  authorAgentId!: string | null;

  @Field(() => String)
  body!: string;

  @Field(() => [AttachmentType])
  attachments!: AttachmentType[];

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType('ConversationNote', { description: 'An internal note, never shown to the customer.' })
export class ConversationNoteType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The `key_…` that wrote it.' })
  author!: string;

  @Field(() => String)
  body!: string;

  @Field(() => Date)
  createdAt!: Date;
}

export const ConversationConnection = connectionType('Conversation', ConversationType);
export const MessageConnection = connectionType('Message', MessageType);
export const ConversationNoteConnection = connectionType('ConversationNote', ConversationNoteType);

/** Read paths hand over plain rows, writes their managed entities. */
type ConversationRecord = Conversation | ConversationRow;
type MessageRecord = Message | MessageRow;

export function toConversationType(conversation: ConversationRecord): ConversationType {
  const { id, version, subject, inbox, tags, metadata, externalRefs, escalationReason, createdAt, updatedAt, lastActivityAt, firstResponseAt, resolvedAt } = conversation;
  return {
    id, version, subject, inbox, tags, metadata, externalRefs, escalationReason, createdAt, updatedAt, lastActivityAt, firstResponseAt, resolvedAt,
    status: conversation.status as ConversationStatusEnum,
    priority: conversation.priority as ConversationPriorityEnum,
    channel: conversation.channel as ChannelEnum,
    customerId: idOf(conversation.customer),
    assigneeId: idOf(conversation.assignee),
    teamId: idOf(conversation.team),
    deletedAt: (conversation as { deletedAt?: Date }).deletedAt ?? null,
  };
}

export function toMessageType(message: MessageRecord): MessageType {
  return {
    id: message.id,
    conversationId: idOf(message.conversation)!,
    authorType: message.authorType as MessageAuthorTypeEnum,
    authorAgentId: idOf(message.authorAgent),
    body: message.body,
    attachments: message.attachments,
    createdAt: message.createdAt,
  };
}

export const toConversationNoteType = (note: ConversationNote | ConversationNoteRow): ConversationNoteType => ({ id: note.id, author: note.author, body: note.body, createdAt: note.createdAt });
