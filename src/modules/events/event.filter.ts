import { Field, ID, InputType } from 'type-graphql';
import { ChannelEnum } from '../conversations/conversation.enums';
import { badUserInput, type FieldError } from '../../platform/errors';
import { givenConditions, type ConversationConditions } from '../../policies/auth/conversation-conditions';
import { eventCatalogue } from './event-catalogue';

/**
 * Which events to see. The event log, live subscriptions and (later) webhook endpoints take
 * this one type. Conditions on a conversation hold for events about a conversation that meets
 * them at the time of the event (the event's snapshot), so a conversation moved out of an inbox
 * stops matching that inbox from its next event. Events about no conversation (a customer's)
 * match only conditions they can answer: `customerIds`.
 */
@InputType('EventFilter', { description: 'All given conditions must hold; a list matches any of its values. An empty list is no condition.' })
export class EventFilterInput {
  @Field(() => [String], { nullable: true, description: 'Only these types; all you may see when absent.' })
  types?: string[] | null;

  @Field(() => Date, { nullable: true, description: 'Inclusive.' })
  occurredAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Exclusive.' })
  occurredBefore?: Date | null;

  @Field(() => [ChannelEnum], { nullable: true, description: 'Events about conversations on these channels.' })
  channels?: ChannelEnum[] | null;

  @Field(() => [String], { nullable: true, description: 'Events about conversations in these inboxes.' })
  inboxes?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Events about conversations of these teams.' })
  teamIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Events about conversations assigned to these agents.' })
  assigneeIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Events about these conversations (their changes, messages, notes and ratings).' })
  conversationIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Events about these customers or their conversations.' })
  customerIds?: string[] | null;
}

/** At most this many values per list: a filter is a feed's shape, not a bulk export. */
export const maxFilterValues = 100;

/** Unknown event types and over-long lists, each with the path of the bad field. */
export function checkEventFilter(filter: EventFilterInput | null | undefined, path: string): void {
  if (!filter) return;
  const errors: FieldError[] = unknownTypeErrors(filter.types, `${path}.types`);
  for (const name of ['types', 'channels', 'inboxes', 'teamIds', 'assigneeIds', 'conversationIds', 'customerIds'] as const) {
    if ((filter[name]?.length ?? 0) > maxFilterValues) errors.push({ field: `${path}.${name}`, message: `At most ${maxFilterValues} values` });
  }
  if (errors.length > 0) throw badUserInput(errors);
}

export function conversationConditionsOf(filter: EventFilterInput | null | undefined): ConversationConditions | undefined {
  return givenConditions(filter);
}

/** Event types the catalogue does not have, each with its path (`types.1`, `filter.types.0`). */
export function unknownTypeErrors(types: readonly string[] | null | undefined, path: string): FieldError[] {
  return (types ?? []).flatMap((type, index) => (type in eventCatalogue ? [] : [{ field: `${path}.${index}`, message: `Unknown event type "${type}"` }]));
}

/** The visible types that every given list names (an absent or empty list names them all). */
export function wantedEventTypes(visible: readonly string[], ...lists: (readonly string[] | null | undefined)[]): Set<string> {
  const given = lists.filter((list): list is readonly string[] => !!list?.length);
  return new Set(visible.filter((type) => given.every((list) => list.includes(type))));
}
