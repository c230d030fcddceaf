import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import { PageArgs, toConnection } from '../../platform/pagination';
import { CustomerType } from '../customers';
import { ConversationOrderInput } from './conversation.filter';
import type { ConversationService } from './conversation.service';
import { ConversationConnection, toConversationType } from './conversation.type';
import { customerConversationPagesLoader } from './customer-conversations.loaders';

/** `Customer.conversations`: lives here because conversations know customers, not the reverse. */
@Resolver(() => CustomerType)
export class CustomerConversationsResolver {
  private readonly conversationPages: ReturnType<typeof customerConversationPagesLoader>;

  constructor(service: ConversationService) {
    this.conversationPages = customerConversationPagesLoader(service);
  }

  @FieldResolver(() => ConversationConnection, { nullable: true, description: 'This customer’s conversations; newest first unless orderBy says otherwise.' })
  @RequiresScopes(['conversations:read'])
  async conversations(
    @Root() customer: CustomerType,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('orderBy', () => ConversationOrderInput, { nullable: true }) orderBy: ConversationOrderInput | null,
    @Ctx() { principal, loaders }: RequestContext,
  ) {
    const conversations = await loaders.get(this.conversationPages).load(customer.id, { workspaceId: principal.workspaceId, page, orderBy, reach: principal.reach });
    return toConnection(conversations, toConversationType);
  }
}
