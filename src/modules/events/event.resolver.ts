import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import { PageArgs, toConnection, type Pager } from '../../platform/pagination';
import { bothConditions } from '../../policies/auth/conversation-conditions';
import { EventRecord } from './event.entity';
import { EventConnection, toEventType } from './event.type';
import { checkEventFilter, conversationConditionsOf, EventFilterInput } from './event.filter';
import { eventConditionsWhere } from './event-conversation-facts';
import { visibleEventTypes } from './event-visibility';

@Resolver()
export class EventResolver {
  constructor(private readonly pager: Pager) {}

  @Query(() => EventConnection, {
    nullable: true,
    description: 'The event log, oldest first, for catch-up and polling. Only types whose scope the key holds (and, for a bound client token, events about what it may see). Kept 30 days.',
  })
  @RequiresScopes(['events:read'])
  async events(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => EventFilterInput, { nullable: true }) filter: EventFilterInput | null,
    @Ctx() { em, principal }: RequestContext,
  ) {
    checkEventFilter(filter, 'filter');
    const conditions = eventConditionsWhere(principal.workspaceId, bothConditions(principal.reach, conversationConditionsOf(filter)));
    const where = {
      ...conditions,
      workspace: principal.workspaceId,
      type: { $in: visibleEventTypes(principal.effectiveScopes, filter?.types) },
      ...(filter?.occurredAfter || filter?.occurredBefore
        ? { occurredAt: { ...(filter.occurredAfter ? { $gte: filter.occurredAfter } : {}), ...(filter.occurredBefore ? { $lt: filter.occurredBefore } : {}) } }
        : {}),
    };
    const query = { entity: EventRecord, where, sort: { field: 'sequence', direction: 'asc' }, list: 'events', workspaceId: principal.workspaceId } as const;
    return toConnection(await this.pager.page(em, query, page), toEventType);
  }
}
