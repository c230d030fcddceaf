import { Field, ID, InputType } from 'type-graphql';
import { raw, type FilterQuery } from '@mikro-orm/postgresql';
import { OrderDirection, type SortOrder } from '../../platform/pagination';
import type { Conversation } from './conversation.entity';
import { ChannelEnum, ConversationOrderField, ConversationPriorityEnum, ConversationStatusEnum } from './conversation.enums';
import { ExternalIdInput } from './conversation.inputs';
import type { ConversationConditions } from '../../policies/auth/conversation-conditions';
import { conversationConditionsWhere } from './conversation-conditions.where';

@InputType('ConversationFilter', { description: 'All given conditions must hold.' })
export class ConversationFilterInput {
  @Field(() => [ConversationStatusEnum], { nullable: true, description: 'Any of these statuses.' })
  status?: ConversationStatusEnum[] | null;

  @Field(() => [ConversationPriorityEnum], { nullable: true })
  priority?: ConversationPriorityEnum[] | null;

  @Field(() => [ChannelEnum], { nullable: true })
  channel?: ChannelEnum[] | null;

  @Field(() => ID, { nullable: true })
  assigneeId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only unassigned; false: only assigned.' })
  isUnassigned?: boolean | null;

  @Field(() => ID, { nullable: true })
  teamId?: string | null;

  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => String, { nullable: true })
  inbox?: string | null;

  @Field(() => [String], { nullable: true, description: 'Conversations carrying all of these tags.' })
  tags?: string[] | null;

  @Field(() => Date, { nullable: true, description: 'Inclusive.' })
  createdAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Exclusive.' })
  createdBefore?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Inclusive: for syncing everything changed since a time.' })
  updatedAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Exclusive.' })
  updatedBefore?: Date | null;

  @Field(() => ExternalIdInput, { nullable: true, description: 'The conversation linked to this CRM/helpdesk ticket.' })
  externalRef?: ExternalIdInput | null;

  @Field(() => String, { nullable: true, description: 'Full-text search over the subject and the messages.' })
  text?: string | null;
}

@InputType('ConversationOrder')
export class ConversationOrderInput {
  @Field(() => ConversationOrderField, { defaultValue: ConversationOrderField.CREATED_AT })
  field!: ConversationOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.DESC })
  direction!: OrderDirection;
}

/** Newest first unless `orderBy` says otherwise. */
export function toConversationSort(orderBy: ConversationOrderInput | null | undefined): SortOrder<Conversation> {
  return { field: orderBy?.field ?? ConversationOrderField.CREATED_AT, direction: orderBy?.direction ?? OrderDirection.DESC };
}

/** The filter as a MikroORM condition, always inside the workspace and a client token's reach. */
export function toConversationWhere(workspaceId: string, filter: ConversationFilterInput | null | undefined, reach?: ConversationConditions): FilterQuery<Conversation> {
  const conditions: FilterQuery<Conversation>[] = [{ workspace: workspaceId }, ...conversationConditionsWhere(reach)];
  if (!filter) return conditions.length === 1 ? conditions[0] : { $and: conditions };
  if (filter.status?.length) conditions.push({ status: { $in: filter.status } });
  if (filter.priority?.length) conditions.push({ priority: { $in: filter.priority } });
  if (filter.channel?.length) conditions.push({ channel: { $in: filter.channel } });
  if (filter.assigneeId) conditions.push({ assignee: filter.assigneeId });
  if (filter.isUnassigned != null) conditions.push({ assignee: filter.isUnassigned ? null : { $ne: null } });
  if (filter.teamId) conditions.push({ team: filter.teamId });
  if (filter.customerId) conditions.push({ customer: filter.customerId });
  if (filter.inbox) conditions.push({ inbox: filter.inbox });
  if (filter.tags?.length) conditions.push({ tags: { $contains: filter.tags } });
  if (filter.createdAfter) conditions.push({ createdAt: { $gte: filter.createdAfter } });
  if (filter.createdBefore) conditions.push({ createdAt: { $lt: filter.createdBefore } });
  if (filter.updatedAfter) conditions.push({ updatedAt: { $gte: filter.updatedAfter } });
  if (filter.updatedBefore) conditions.push({ updatedAt: { $lt: filter.updatedBefore } });
  // raw() as a value, not a key: the Pager runs one condition twice (page and COUNT).
  if (filter.externalRef) {
    const { system, externalId } = filter.externalRef;
    const linked = raw('(select conversation_id from conversation_external_refs where workspace_id = ? and system = ? and external_id = ?)', [workspaceId, system, externalId]);
    conditions.push({ id: { $in: linked } } as FilterQuery<Conversation>);
  }
  if (filter.text?.trim()) {
    const text = filter.text.trim();
    const matching = raw(
      `(select id from conversations where workspace_id = ? and search @@ plainto_tsquery('simple', ?)
        union select conversation_id from messages where workspace_id = ? and search @@ plainto_tsquery('simple', ?))`,
      [workspaceId, text, workspaceId, text],
    );
    conditions.push({ id: { $in: matching } } as FilterQuery<Conversation>);
  }
  return { $and: conditions };
}
