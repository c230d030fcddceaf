import { eventCatalogue, type EventType } from './event-catalogue';

/** The event types a key may receive: those whose required scope it holds. */
export function visibleEventTypes(effectiveScopes: ReadonlySet<string>, requested?: readonly string[] | null): EventType[] {
  const allowed = (Object.keys(eventCatalogue) as EventType[]).filter((type) => effectiveScopes.has(eventCatalogue[type].requiredScope));
  return requested?.length ? allowed.filter((type) => requested.includes(type)) : allowed;
}
