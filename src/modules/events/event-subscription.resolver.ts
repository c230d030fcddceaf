import type { EntityManager } from '@mikro-orm/postgresql';
import { Arg, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { badUserInput, notFound } from '../../platform/errors';
import { prefixOf } from '../../platform/ids';
import { bothConditions, factsMatch, type ConversationConditions } from '../../policies/auth/conversation-conditions';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import type { EventEnvelope } from './event-recorder';
import { EventStream } from './event-stream';
import { EventType, envelopeToEventType } from './event.type';
import { checkEventFilter, conversationConditionsOf, EventFilterInput, unknownTypeErrors, wantedEventTypes } from './event.filter';
import { conversationFactsOfEvent } from './event-conversation-facts';
import { visibleEventTypes } from './event-visibility';
import type { EventHub } from './hub/event-hub';

interface EventsArgs {
  types?: string[] | null;
  after?: string | null;
  filter?: EventFilterInput | null;
}

/** Whether the workspace has the conversation and the reach (none for a key) includes it. */
export type ConversationVisibility = (em: EntityManager, workspaceId: string, id: string, reach: ConversationConditions | undefined) => Promise<boolean>;

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
  constructor(
    private readonly hub: EventHub,
    /** The conversations module's lookup (events cannot import it: conversations record events). */
    private readonly isConversationVisible: ConversationVisibility,
  ) {}

  /** As the query `conversation(id)` answers: another workspace's id, or one outside a token's reach, is NOT_FOUND. */
  async assertConversationVisible(context: RequestContext, id: string): Promise<void> {
    if (prefixOf(id) !== 'conv') throw badUserInput([{ field: 'conversationId', message: 'Not a conversation id (conv_…)' }]);
    if (!(await this.isConversationVisible(context.em, context.principal.workspaceId, id, context.principal.reach))) throw notFound('Conversation');
  }

  @Subscription(() => EventType, {
    description: 'Every event the key may see (optionally only `types`, and those `filter` keeps), after `after` when given.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, Record<string, unknown>, RequestContext>) => {
      const { types, after, filter } = args as EventsArgs;
      const unknownTypes = unknownTypeErrors(types, 'types');
      if (unknownTypes.length > 0) throw badUserInput(unknownTypes);
      checkEventFilter(filter, 'filter');
      const wanted = wantedEventTypes(visibleEventTypes(context.principal.effectiveScopes), types, filter?.types);
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
      await resolverOf(context).assertConversationVisible(context, conversationId);
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
