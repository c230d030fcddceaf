/**
 * Conditions on a conversation: each given list must contain the conversation's value (OR within
 * a list, AND across lists). One shape serves event filters (on the conversation an event
 * concerns) and a client token's reach (the conversations it may see at all). Once through
 * `givenConditions`, a present list is a condition even when empty: two reaches that share no
 * inbox meet nothing, they do not fall back to everything.
 */
export interface ConversationConditions {
  readonly conversationIds?: readonly string[] | null;
  readonly customerIds?: readonly string[] | null;
  /** Stored (lower-case) channel values. */
  readonly channels?: readonly string[] | null;
  readonly inboxes?: readonly string[] | null;
  readonly teamIds?: readonly string[] | null;
  readonly assigneeIds?: readonly string[] | null;
}

/** What the conditions are checked against; null where the subject has no such value (a customer event has no inbox). */
export interface ConversationFacts {
  readonly conversationId: string | null;
  readonly customerId: string | null;
  readonly channel: string | null;
  readonly inbox: string | null;
  readonly teamId: string | null;
  readonly assigneeId: string | null;
}

export const factOfCondition = {
  conversationIds: 'conversationId',
  customerIds: 'customerId',
  channels: 'channel',
  inboxes: 'inbox',
  teamIds: 'teamId',
  assigneeIds: 'assigneeId',
} as const satisfies Record<keyof ConversationConditions, keyof ConversationFacts>;

export const conditionNames = Object.keys(factOfCondition) as (keyof ConversationConditions)[];

/** The conditions actually given (an empty list is none), or undefined when there are none. */
export function givenConditions(conditions: ConversationConditions | null | undefined): ConversationConditions | undefined {
  if (!conditions) return undefined;
  const given = Object.fromEntries(conditionNames.filter((name) => conditions[name]?.length).map((name) => [name, [...new Set(conditions[name]!)]]));
  return Object.keys(given).length > 0 ? given : undefined;
}

/** A missing fact fails its condition: an event about no conversation never matches an inbox. */
export function factsMatch(conditions: ConversationConditions | undefined, facts: ConversationFacts): boolean {
  if (!conditions) return true;
  return conditionNames.every((name) => {
    const wanted = conditions[name];
    if (!wanted) return true;
    const value = facts[factOfCondition[name]];
    return value !== null && wanted.includes(value);
  });
}

/** Both sets of conditions must hold: the intersection of two reaches or filters. */
export function bothConditions(first: ConversationConditions | undefined, second: ConversationConditions | undefined): ConversationConditions | undefined {
  if (!first || !second) return first ?? second;
  const both: Record<string, readonly string[]> = {};
  for (const name of conditionNames) {
    const [a, b] = [first[name], second[name]];
    if (a && b) both[name] = a.filter((value) => b.includes(value));
    else if (a || b) both[name] = (a ?? b)!;
  }
  return both;
}
