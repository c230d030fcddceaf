import type { FilterQuery } from '@mikro-orm/postgresql';
import { factsMatch, type ConversationConditions, type ConversationFacts } from '../../policies/auth/conversation-conditions';
import type { Conversation, ConversationRow } from './conversation.entity';

/** The conditions on the conversations table, for MikroORM. */
export function conversationConditionsWhere(conditions: ConversationConditions | undefined): FilterQuery<Conversation>[] {
  if (!conditions) return [];
  const where: FilterQuery<Conversation>[] = [];
  if (conditions.conversationIds) where.push({ id: { $in: [...conditions.conversationIds] } });
  if (conditions.customerIds) where.push({ customer: { $in: [...conditions.customerIds] } });
  if (conditions.channels) where.push({ channel: { $in: [...conditions.channels] } as never });
  if (conditions.inboxes) where.push({ inbox: { $in: [...conditions.inboxes] } });
  if (conditions.teamIds) where.push({ team: { $in: [...conditions.teamIds] } });
  if (conditions.assigneeIds) where.push({ assignee: { $in: [...conditions.assigneeIds] } });
  return where;
}

export function factsOfConversation(row: ConversationRow): ConversationFacts {
  return { conversationId: row.id, customerId: row.customer, channel: row.channel, inbox: row.inbox, teamId: row.team, assigneeId: row.assignee };
}

/** Whether a client token's reach (none for a key) includes the conversation. */
export function isConversationInReach(reach: ConversationConditions | undefined, row: ConversationRow): boolean {
  return factsMatch(reach, factsOfConversation(row));
}
