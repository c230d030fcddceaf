import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import { PageArgs, toConnection } from '../../platform/pagination';
import { AgentType, TeamType, agentByIdLoader, teamByIdLoader, toAgentType, toTeamType } from '../agents';
import { CustomerType, customerByIdLoader, toCustomerType } from '../customers';
import { messagePagesLoader, notePagesLoader } from './activity/activity-pages.loaders';
import { lastMessageLoader } from './activity/last-message.loader';
import { ConversationNoteConnection, ConversationType, MessageConnection, MessageType, toConversationNoteType, toMessageType } from './conversation.type';
import type { MessageService } from './activity/message.service';

/** Relations of a conversation, batched per request so a page costs a fixed number of queries, whatever its size. */
@Resolver(() => ConversationType)
export class ConversationFieldsResolver {
  private readonly messagePages: ReturnType<typeof messagePagesLoader>;
  private readonly notePages: ReturnType<typeof notePagesLoader>;

  constructor(messageService: MessageService) {
    this.messagePages = messagePagesLoader(messageService);
    this.notePages = notePagesLoader(messageService);
  }

  @FieldResolver(() => CustomerType, { nullable: true, description: 'Personal data: needs customers:read besides conversations:read.' })
  @RequiresScopes(['customers:read'])
  async customer(@Root() conversation: ConversationType, @Ctx() { loaders, principal }: RequestContext): Promise<CustomerType | null> {
    if (!conversation.customerId) return null;
    const customer = await loaders.get(customerByIdLoader).load({ workspaceId: principal.workspaceId, id: conversation.customerId });
    return customer && toCustomerType(customer);
  }

  @FieldResolver(() => AgentType, { nullable: true })
  async assignee(@Root() conversation: ConversationType, @Ctx() { loaders, principal }: RequestContext): Promise<AgentType | null> {
    if (!conversation.assigneeId) return null;
    const agent = await loaders.get(agentByIdLoader).load({ workspaceId: principal.workspaceId, id: conversation.assigneeId });
    return agent && toAgentType(agent);
  }

  @FieldResolver(() => TeamType, { nullable: true })
  async team(@Root() conversation: ConversationType, @Ctx() { loaders, principal }: RequestContext): Promise<TeamType | null> {
    if (!conversation.teamId) return null;
    const team = await loaders.get(teamByIdLoader).load({ workspaceId: principal.workspaceId, id: conversation.teamId });
    return team && toTeamType(team);
  }

  @FieldResolver(() => MessageType, { nullable: true, description: 'The newest message.' })
  async lastMessage(@Root() conversation: ConversationType, @Ctx() { loaders, principal }: RequestContext): Promise<MessageType | null> {
    const message = await loaders.get(lastMessageLoader).load({ workspaceId: principal.workspaceId, id: conversation.id });
    return message && toMessageType(message);
  }

  @FieldResolver(() => MessageConnection, { description: 'Messages, oldest first.' })
  async messages(@Root() conversation: ConversationType, @Args(() => PageArgs) page: PageArgs, @Ctx() { principal, loaders }: RequestContext) {
    return toConnection(await loaders.get(this.messagePages).load(conversation.id, { workspaceId: principal.workspaceId, page }), toMessageType);
  }

  @FieldResolver(() => ConversationNoteConnection, { description: 'Internal notes, oldest first.' })
  async notes(@Root() conversation: ConversationType, @Args(() => PageArgs) page: PageArgs, @Ctx() { principal, loaders }: RequestContext) {
    return toConnection(await loaders.get(this.notePages).load(conversation.id, { workspaceId: principal.workspaceId, page }), toConversationNoteType);
  }
}
