import { raw } from '@mikro-orm/postgresql';
import { conditionNames, type ConversationConditions } from '../../policies/auth/conversation-conditions';

const columnOf: Record<keyof ConversationConditions, string> = {
  conversationIds: 'id',
  customerIds: 'customer_id',
  channels: 'channel',
  inboxes: 'inbox',
  teamIds: 'team_id',
  assigneeIds: 'assignee_id',
};

/**
 * The customers a client token's reach includes, as a condition on a customer's id: those
 * named by `customerIds` when that is its only condition (a token bound to a customer sees them
 * before their first conversation), otherwise those with a conversation inside the reach.
 */
export function customersInReachWhere(workspaceId: string, reach: ConversationConditions) {
  const given = conditionNames.filter((name) => reach[name]);
  if (given.length === 1 && given[0] === 'customerIds') return { id: { $in: [...reach.customerIds!] } } as const;
  // The driver spreads an array binding into a list of parameters, so `in (?)`; an empty list meets nothing.
  const clauses = given.map((name) => (reach[name]!.length > 0 ? ` and ${columnOf[name]} in (?)` : ' and false')).join('');
  const sql = `(select customer_id from conversations where workspace_id = ? and customer_id is not null${clauses})`;
  return { id: { $in: raw(sql, [workspaceId, ...given.filter((name) => reach[name]!.length > 0).map((name) => [...reach[name]!])]) } } as const;
}
