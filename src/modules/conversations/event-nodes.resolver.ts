import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { factsMatch } from '../../policies/auth/conversation-conditions';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import { CustomerType, freshCustomerByIdLoader, toCustomerType } from '../customers';
import { conversationFactsOfEvent, EventGraphQLType } from '../events';
import { isConversationInReach } from './conversation-conditions.where';
import type { ConversationRow } from './conversation.entity';
import { ConversationType, MessageType, toConversationType, toMessageType } from './conversation.type';
import { freshConversationByIdLoader, freshMessageByIdLoader } from './event-node.loaders';

/**
 * The typed nodes an event concerns, as they are now, so a client cache (Apollo Client, urql)
 * can update by id from a live event. Each is null when the event concerns none, when it no
 * longer exists, or when the reader may not see it (a client token's reach): the same rule as
 * reading it by id. Lives here because conversations know events, not the reverse.
 */
@Resolver(() => EventGraphQLType)
export class EventNodesResolver {
  @FieldResolver(() => ConversationType, { nullable: true, description: 'The conversation the event concerns, as it is now; null when none or no longer visible.' })
  @RequiresScopes(['conversations:read'])
  async conversation(@Root() event: EventGraphQLType, @Ctx() context: RequestContext): Promise<ConversationType | null> {
    const conversation = await visibleConversationOf(event, context);
    return conversation && toConversationType(conversation);
  }

  @FieldResolver(() => MessageType, { nullable: true, description: 'The message a `message.created` event announced, as it is now; null for other events.' })
  @RequiresScopes(['conversations:read'])
  async message(@Root() event: EventGraphQLType, @Ctx() context: RequestContext): Promise<MessageType | null> {
    const messageId = (event.data as { message?: { id?: unknown } }).message?.id;
    if (typeof messageId !== 'string') return null;
    const [message, conversation] = await Promise.all([
      context.loaders.get(freshMessageByIdLoader).load({ workspaceId: context.principal.workspaceId, id: messageId }),
      visibleConversationOf(event, context),
    ]);
    return message && conversation && message.conversation === conversation.id ? toMessageType(message) : null;
  }

  @FieldResolver(() => CustomerType, { nullable: true, description: 'The customer the event concerns (directly or through its conversation), as they are now.' })
  @RequiresScopes(['customers:read'])
  async customer(@Root() event: EventGraphQLType, @Ctx() context: RequestContext): Promise<CustomerType | null> {
    const { customerId, conversationId } = conversationFactsOfEvent(event.data);
    if (!customerId || !(await isCustomerVisible(event, context, customerId, conversationId))) return null;
    const customer = await context.loaders.get(freshCustomerByIdLoader).load({ workspaceId: context.principal.workspaceId, id: customerId });
    return customer && toCustomerType(customer);
  }
}

async function visibleConversationOf(event: EventGraphQLType, context: RequestContext): Promise<ConversationRow | null> {
  const { conversationId } = conversationFactsOfEvent(event.data);
  if (!conversationId) return null;
  const conversation = await context.loaders.get(freshConversationByIdLoader).load({ workspaceId: context.principal.workspaceId, id: conversationId });
  return conversation && isConversationInReach(context.principal.reach, conversation) ? conversation : null;
}

/**
 * Without a reach every customer of the workspace is visible. With one, a customer is visible
 * through the event's conversation, when that is still inside the reach and still theirs, or
 * through a binding to customers alone (see customersInReachWhere).
 */
async function isCustomerVisible(event: EventGraphQLType, context: RequestContext, customerId: string, conversationId: string | null): Promise<boolean> {
  const { reach } = context.principal;
  if (!reach) return true;
  const isBoundToCustomersOnly = Object.keys(reach).every((name) => name === 'customerIds');
  if (isBoundToCustomersOnly) return factsMatch(reach, { conversationId, customerId, channel: null, inbox: null, teamId: null, assigneeId: null });
  const conversation = await visibleConversationOf(event, context);
  return conversation?.customer === customerId;
}
