import { Arg, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { badUserInput, notFound } from '../../platform/errors';
import { prefixOf } from '../../platform/ids';
import { bothConditions, factsMatch, type ConversationConditions } from '../../policies/auth/conversation-conditions';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import { eventCatalogue } from './event-catalogue';
import type { EventEnvelope } from './event-recorder';
import { EventStream } from './event-stream';
import { EventType, envelopeToEventType } from './event.type';
import { checkEventFilter, conversationConditionsOf, EventFilterInput } from './event.filter';
import { conversationFactsOfEvent } from './event-conversation-facts';
import { visibleEventTypes } from './event-visibility';
import type { EventHub } from './hub/event-hub';

interface EventsArgs {
  types?: string[] | null;
  after?: string | null;
  filter?: EventFilterInput | null;
}

interface ConversationEventsArgs {
  conversationId: string;
  after?: string | null;
}

/**
 * Live events over graphql-ws and SSE: the same envelopes as webhooks. `after` (an event id or
 * a sequence) replays what the subscriber missed, then continues live with no gap.
 */
@Resolver()
export class EventSubscriptionResolver {
  constructor(private readonly hub: EventHub) {}

  @Subscription(() => EventType, {
    description: 'Every event the key may see (optionally only `types`, and those `filter` keeps), after `after` when given.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, Record<string, unknown>, RequestContext>) => {
      const { types, after, filter } = args as EventsArgs;
      checkTypes(types);
      checkEventFilter(filter, 'filter');
      const typesAsked = types?.length && filter?.types?.length ? types.filter((type) => filter.types!.includes(type)) : types?.length ? types : filter?.types;
      const wanted = new Set<string>(visibleEventTypes(context.principal.effectiveScopes, typesAsked).filter((type) => !typesAsked || typesAsked.includes(type)));
      const conditions = bothConditions(context.principal.reach, conversationConditionsOf(filter));
      const [after_, before] = [filter?.occurredAfter?.toISOString(), filter?.occurredBefore?.toISOString()];
      return resolverOf(context).stream(context, after, (event) =>
        wanted.has(event.type) && (!after_ || event.occurredAt >= after_) && (!before || event.occurredAt < before) && isAbout(conditions, event));
    },
  })
  @RequiresScopes(['events:read'])
  events(
    @Root() event: EventEnvelope,
    @Arg('types', () => [String], { nullable: true }) _types: string[] | null,
    @Arg('after', () => String, { nullable: true, description: 'An event id (`evt_…`) or a sequence to resume after.' }) _after: string | null,
    @Arg('filter', () => EventFilterInput, { nullable: true, description: 'Conditions on the events (see EventFilter); `types` here and above must both hold.' }) _filter: EventFilterInput | null,
  ): EventType {
    return envelopeToEventType(event);
  }

  @Subscription(() => EventType, {
    description: 'Events of one conversation (its changes, messages and notes), for a live conversation view. An unknown id fails at once: NOT_FOUND, or BAD_USER_INPUT when it is not a conversation id at all.',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, Record<string, unknown>, RequestContext>) => {
      const { conversationId, after } = args as unknown as ConversationEventsArgs;
      await assertConversationVisible(context, conversationId);
      const types = new Set<string>(visibleEventTypes(context.principal.effectiveScopes).filter((type) => type.startsWith('conversation.') || type === 'message.created'));
      const conditions = bothConditions(context.principal.reach, { conversationIds: [conversationId] });
      return resolverOf(context).stream(context, after, (event) => types.has(event.type) && isAbout(conditions, event));
    },
  })
  @RequiresScopes(['conversations:read'])
  conversationEvents(
    @Root() event: EventEnvelope,
    @Arg('conversationId', () => ID) _conversationId: string,
    @Arg('after', () => String, { nullable: true }) _after: string | null,
  ): EventType {
    return envelopeToEventType(event);
  }

  /** `after` is resolved when the stream starts: an unknown one fails the stream, as overflow does. */
  stream(context: RequestContext, after: string | null | undefined, isWanted: (event: EventEnvelope) => boolean): EventStream {
    return new EventStream(this.hub, {
      workspaceId: context.principal.workspaceId,
      startAfter: () => resolveAfter(context, after),
      isWanted,
      onOverflow: context.cutOff,
    });
  }
}

/** type-graphql calls `subscribe` without `this`; the instance travels in the context. */
function resolverOf(context: RequestContext): EventSubscriptionResolver {
  const resolver = (context as RequestContext & { eventSubscriptions?: EventSubscriptionResolver }).eventSubscriptions;
  if (!resolver) throw new Error('subscriptions are served over graphql-ws and SSE only');
  return resolver;
}

function checkTypes(types: string[] | null | undefined): void {
  const unknown = (types ?? []).map((type, index) => ({ type, index })).filter(({ type }) => !(type in eventCatalogue));
  if (unknown.length > 0) throw badUserInput(unknown.map(({ type, index }) => ({ field: `types.${index}`, message: `Unknown event type "${type}"` })));
}

async function resolveAfter(context: RequestContext, after: string | null | undefined): Promise<number | undefined> {
  if (after === null || after === undefined) return undefined;
  if (/^\d{1,15}$/.test(after)) return Number(after);
  const [row] = await context.em.execute<{ sequence: string }[]>('select sequence from events where id = ? and workspace_id = ?', [after, context.principal.workspaceId]);
  if (!row) throw badUserInput([{ field: 'after', message: 'Not an event id or sequence of this workspace' }]);
  return Number(row.sequence);
}

function isAbout(conditions: ConversationConditions | undefined, event: EventEnvelope): boolean {
  return !conditions || factsMatch(conditions, conversationFactsOfEvent(event.data));
}

/** As the query `conversation(id)` answers: another workspace's id, or one outside a token's reach, is NOT_FOUND. */
async function assertConversationVisible(context: RequestContext, id: string): Promise<void> {
  if (prefixOf(id) !== 'conv') throw badUserInput([{ field: 'conversationId', message: 'Not a conversation id (conv_…)' }]);
  const [row] = await context.em.execute<{ id: string; customer_id: string | null; channel: string; inbox: string | null; team_id: string | null; assignee_id: string | null }[]>(
    'select id, customer_id, channel, inbox, team_id, assignee_id from conversations where id = ? and workspace_id = ?',
    [id, context.principal.workspaceId],
  );
  const facts = row && { conversationId: row.id, customerId: row.customer_id, channel: row.channel, inbox: row.inbox, teamId: row.team_id, assigneeId: row.assignee_id };
  if (!facts || !factsMatch(context.principal.reach, facts)) throw notFound('Conversation');
}
