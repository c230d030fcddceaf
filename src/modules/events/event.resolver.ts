import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import { PageArgs, toConnection, type Pager } from '../../platform/pagination';
import { badUserInput } from '../../platform/errors';
import { EventRecord } from './event.entity';
import { eventCatalogue } from './event-catalogue';
import { EventConnection, EventFilterInput, toEventType } from './event.type';
import { visibleEventTypes } from './event-visibility';

@Resolver()
export class EventResolver {
  constructor(private readonly pager: Pager) {}

  @Query(() => EventConnection, {
    nullable: true,
    description: 'The event log, oldest first, for catch-up and polling. Only types whose scope the key holds. Kept 30 days.',
  })
  @RequiresScopes(['events:read'])
  async events(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => EventFilterInput, { nullable: true }) filter: EventFilterInput | null,
    @Ctx() { em, principal }: RequestContext,
  ) {
    const unknown = (filter?.types ?? []).map((type, index) => ({ type, index })).filter(({ type }) => !(type in eventCatalogue));
    if (unknown.length > 0) throw badUserInput(unknown.map(({ type, index }) => ({ field: `filter.types.${index}`, message: `Unknown event type "${type}"` })));
    const where = {
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
