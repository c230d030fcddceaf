import { raw } from '@mikro-orm/postgresql';
import { conditionNames, factOfCondition, type ConversationConditions, type ConversationFacts } from '../../policies/auth/conversation-conditions';

/**
 * Where, in an event's `data`, the conversation it concerns is described: the snapshot of a
 * conversation event, the ids of a note or a feedback, the customer of a customer event. The
 * first path present wins. One table serves the live filter (JavaScript, per event) and the
 * event log's (SQL), so both always agree.
 */
const factPaths: Record<keyof ConversationFacts, readonly (readonly string[])[]> = {
  conversationId: [['conversation', 'id'], ['message', 'conversationId'], ['note', 'conversationId'], ['feedback', 'conversationId']],
  customerId: [['conversation', 'customerId'], ['customer', 'id'], ['feedback', 'customerId'], ['note', 'customerId']],
  channel: [['conversation', 'channel']],
  inbox: [['conversation', 'inbox']],
  teamId: [['conversation', 'teamId']],
  assigneeId: [['conversation', 'assigneeId']],
};

/**
 * Facts per event `data`, which every subscriber of an instance shares: a filtered fan-out reads
 * them once per event, not once per subscriber.
 */
const factsByData = new WeakMap<object, ConversationFacts>();

export function conversationFactsOfEvent(data: unknown): ConversationFacts {
  if (data === null || typeof data !== 'object') return readFacts(data);
  let facts = factsByData.get(data);
  if (!facts) factsByData.set(data, (facts = readFacts(data)));
  return facts;
}

function readFacts(data: unknown): ConversationFacts {
  const valueAt = (path: readonly string[]): string | null => {
    let value: unknown = data;
    for (const step of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
    return typeof value === 'string' ? value : null;
  };
  const factAt = (paths: readonly (readonly string[])[]) => paths.reduce<string | null>((found, path) => found ?? valueAt(path), null);
  const facts = Object.fromEntries(Object.entries(factPaths).map(([fact, paths]) => [fact, factAt(paths)])) as Record<keyof ConversationFacts, string | null>;
  // Snapshots carry the GraphQL enum name (WEB_CHAT); conditions and the table use the stored value.
  return { ...facts, channel: facts.channel?.toLowerCase() ?? null };
}

/**
 * The same conditions over the `events` table, as one condition on the event's id (a raw value,
 * not a raw key, so it survives the page query and its COUNT alike).
 */
export function eventConditionsWhere(workspaceId: string, conditions: ConversationConditions | undefined): object | undefined {
  const given = conditionNames.filter((name) => conditions?.[name]);
  if (given.length === 0) return undefined;
  // The driver spreads an array binding into a list of parameters, so `in (?)`; an empty list meets nothing.
  const clauses = given.map((name) => (conditions![name]!.length === 0 ? 'false' : `${eventFactSql(factOfCondition[name], 'data')} in (?)`));
  const sql = `(select id from events where workspace_id = ? and ${clauses.join(' and ')})`;
  return { id: { $in: raw(sql, [workspaceId, ...given.filter((name) => conditions![name]!.length > 0).map((name) => [...conditions![name]!])]) } };
}

/** A fact of an event as SQL over its `data` column (channels lower-cased, as conditions hold them). */
export function eventFactSql(fact: keyof ConversationFacts, dataColumn: string): string {
  const value = `coalesce(${factPaths[fact].map((path) => `${dataColumn} #>> '{${path.join(',')}}'`).join(', ')})`;
  return fact === 'channel' ? `lower(${value})` : value;
}
