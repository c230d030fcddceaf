import { Arg, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { badUserInput } from '../../platform/errors';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import { eventCatalogue } from './event-catalogue';
import type { EventEnvelope } from './event-recorder';
import { EventStream } from './event-stream';
import { EventType, envelopeToEventType } from './event.type';
import { visibleEventTypes } from './event-visibility';
import type { EventHub } from './hub/event-hub';

interface EventsArgs {
  types?: string[] | null;
  after?: string | null;
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
    description: 'Every event the key may see (optionally only `types`), after `after` when given.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, Record<string, unknown>, RequestContext>) => {
      const { types, after } = args as EventsArgs;
      checkTypes(types);
      const wanted = new Set<string>(visibleEventTypes(context.principal.effectiveScopes, types));
      return resolverOf(context).stream(context, after, (event) => wanted.has(event.type));
    },
  })
  @RequiresScopes(['events:read'])
  events(
    @Root() event: EventEnvelope,
    @Arg('types', () => [String], { nullable: true }) _types: string[] | null,
    @Arg('after', () => String, { nullable: true, description: 'An event id (`evt_…`) or a sequence to resume after.' }) _after: string | null,
  ): EventType {
    return envelopeToEventType(event);
  }

  @Subscription(() => EventType, {
    description: 'Events of one conversation (its changes and messages), for a live conversation view.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, Record<string, unknown>, RequestContext>) => {
      const { conversationId, after } = args as unknown as ConversationEventsArgs;
      const types = new Set<string>(visibleEventTypes(context.principal.effectiveScopes).filter((type) => type.startsWith('conversation.') || type === 'message.created'));
      return resolverOf(context).stream(context, after, (event) => types.has(event.type) && conversationIdOf(event) === conversationId);
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

function conversationIdOf(event: EventEnvelope): string | undefined {
  const data = event.data as { conversation?: { id?: string }; message?: { conversationId?: string }; note?: { conversationId?: string } };
  return data.conversation?.id ?? data.message?.conversationId ?? data.note?.conversationId;
}
