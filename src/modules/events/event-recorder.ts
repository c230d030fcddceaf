import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '../../platform/ids';
import { queryRows } from '../../platform/database/prepared-statements';
import type { EventRecord } from './event.entity';
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
 * a consumer can resume by sequence without missing a slow transaction's event. Taking the
 * sequence and inserting the event is one statement (a data-modifying CTE), not two.
 */
export async function recordEvent(em: EntityManager, workspaceId: string, type: EventType, data: Record<string, unknown>): Promise<EventEnvelope> {
  const id = newId('evt');
  const occurredAt = new Date();
  const [{ sequence }] = await queryRows<{ sequence: string }>(
    em,
    `with counter as (update workspaces set event_sequence = event_sequence + 1 where id = ? returning event_sequence)
     insert into events (id, workspace_id, sequence, type, occurred_at, data) select ?, ?, event_sequence, ?, ?, ? from counter returning sequence`,
    [workspaceId, id, workspaceId, type, occurredAt, JSON.stringify(data)],
  );
  announcerOf(em)?.noteRecorded(workspaceId);
  return { id, type, occurredAt: occurredAt.toISOString(), sequence: Number(sequence), data };
}

export function toEnvelope(event: EventRecord): EventEnvelope {
  return { id: event.id, type: event.type as EventType, occurredAt: event.occurredAt.toISOString(), sequence: Number(event.sequence), data: event.data };
}
