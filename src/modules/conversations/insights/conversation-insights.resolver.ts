import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { RequiresScopes } from '../../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../../policies/request-context';
import { PageArgs, toConnection } from '../../../platform/pagination';
import { ConversationType } from '../conversation.type';
import { conversationRatingLoader, conversationStatisticsLoader } from './conversation-insights.loaders';
import { statusHistoryPagesLoader, type ConversationInsightsService } from './conversation-insights.service';
import {
  ConversationRatingType, ConversationStatisticsType, ConversationStatusChangeConnection, SatisfactionFeedbackConnection, SatisfactionFeedbackFilterInput,
  toSatisfactionFeedbackType, toStatisticsType, toStatusChangeType,
} from './conversation-insights.type';

/** What helpdesks expose about a conversation beyond its fields: statistics, rating, status history; and the ratings for BI. */
@Resolver(() => ConversationType)
export class ConversationInsightsResolver {
  private readonly statusHistoryPages: ReturnType<typeof statusHistoryPagesLoader>;

  constructor(private readonly insights: ConversationInsightsService) {
    this.statusHistoryPages = statusHistoryPagesLoader(insights);
  }

  @FieldResolver(() => ConversationStatisticsType, { description: 'First assignment and response, replies, waiting, reopenings, handling and resolution time; batched for a page.' })
  async statistics(@Root() conversation: ConversationType, @Ctx() { loaders, principal }: RequestContext): Promise<ConversationStatisticsType> {
    const statistics = await loaders.get(conversationStatisticsLoader).load({ workspaceId: principal.workspaceId, id: conversation.id });
    // The conversation was read in this workspace a moment ago; only a concurrent deletion finds none.
    return toStatisticsType(statistics ?? { createdAt: conversation.createdAt, firstAssignedAt: null, firstResponseAt: null, resolvedAt: null, lastAgentReplyAt: null, lastCustomerMessageAt: null, waitingSince: null, reopenCount: 0, handlingMs: 0, pendingMs: 0, agentReplyCount: 0, customerMessageCount: 0, pendingSpells: [] });
  }

  @FieldResolver(() => ConversationRatingType, { description: 'The latest CSAT and NPS answers with their comments. Personal data: needs customers:read.' })
  @RequiresScopes(['customers:read'])
  async rating(@Root() conversation: ConversationType, @Ctx() { loaders, principal }: RequestContext): Promise<ConversationRatingType> {
    return loaders.get(conversationRatingLoader).load({ workspaceId: principal.workspaceId, id: conversation.id });
  }

  @FieldResolver(() => ConversationStatusChangeConnection, { description: 'Every status change, oldest first, from its opening.' })
  async statusHistory(@Root() conversation: ConversationType, @Args(() => PageArgs) page: PageArgs, @Ctx() { principal, loaders }: RequestContext) {
    return toConnection(await loaders.get(this.statusHistoryPages).load(conversation.id, { workspaceId: principal.workspaceId, page }), toStatusChangeType);
  }

  @Query(() => SatisfactionFeedbackConnection, { nullable: true, description: 'Satisfaction answers (CSAT and NPS) of the workspace, newest first, filterable for BI.' })
  @RequiresScopes(['customers:read'])
  async satisfactionFeedbacks(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => SatisfactionFeedbackFilterInput, { nullable: true }) filter: SatisfactionFeedbackFilterInput | null,
    @Ctx() { em, principal }: RequestContext,
  ) {
    return toConnection(await this.insights.listFeedback(em, principal.workspaceId, filter, page), toSatisfactionFeedbackType);
  }
}
