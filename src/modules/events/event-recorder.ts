import type { EntityManager } from '@mikro-orm/postgresql';
import { EventRecord } from './event.entity';
import { announcerOf } from './hub/event-announcer';
import type { EventType } from './event-catalogue';

/** The envelope of DESIGN.md §2: the webhook body and the subscription payload alike. */
export interface EventEnvelope {
  readonly id: string;
  readonly type: EventType;
  readonly occurredAt: string;
  readonly sequence: number;
  readonly data: Record<string, unknown>;
}

/**
 * Adds an event to the caller's transaction. The sequence comes from a row lock on the
 * workspace's counter, held until commit: sequences are gap-free and follow commit order, so
 * a consumer can resume by sequence without missing a slow transaction's event.
 */
export async function recordEvent(em: EntityManager, workspaceId: string, type: EventType, data: Record<string, unknown>): Promise<EventEnvelope> {
  const [{ event_sequence: sequence }] = await em.execute<{ event_sequence: string }[]>(
    'update workspaces set event_sequence = event_sequence + 1 where id = ? returning event_sequence',
    [workspaceId],
  );
  const event = em.create(EventRecord, { workspace: workspaceId, sequence, type, data });
  em.persist(event);
  announcerOf(em)?.noteRecorded(workspaceId);
  return toEnvelope(event);
}

export function toEnvelope(event: EventRecord): EventEnvelope {
  return { id: event.id, type: event.type as EventType, occurredAt: event.occurredAt.toISOString(), sequence: Number(event.sequence), data: event.data };
}
