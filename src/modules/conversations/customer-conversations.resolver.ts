import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import { PageArgs, toConnection } from '../../platform/pagination';
import { CustomerType } from '../customers';
import { ConversationOrderInput } from './conversation.filter';
import type { ConversationService } from './conversation.service';
import { ConversationConnection, toConversationType } from './conversation.type';

/** `Customer.conversations`: lives here because conversations know customers, not the reverse. */
@Resolver(() => CustomerType)
export class CustomerConversationsResolver {
  constructor(private readonly service: ConversationService) {}

  @FieldResolver(() => ConversationConnection, { nullable: true, description: 'This customer’s conversations; newest first unless orderBy says otherwise.' })
  @RequiresScopes(['conversations:read'])
  async conversations(
    @Root() customer: CustomerType,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('orderBy', () => ConversationOrderInput, { nullable: true }) orderBy: ConversationOrderInput | null,
    @Ctx() { em, principal }: RequestContext,
  ) {
    return toConnection(await this.service.list(em, principal.workspaceId, { customerId: customer.id }, orderBy, page), toConversationType);
  }
}
