import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from './event-recorder';

interface EventRow {
  id: string;
  type: string;
  occurred_at: Date;
  sequence: string;
  data: Record<string, unknown>;
}

/** Events of a workspace with `after < sequence <= upTo`, in sequence order. */
export async function readEventLog(em: EntityManager, workspaceId: string, range: { after: number; upTo?: number; limit: number }): Promise<EventEnvelope[]> {
  const rows = await em.fork().execute<EventRow[]>(
    `select id, type, occurred_at, sequence, data from events
     where workspace_id = ? and sequence > ? and sequence <= ? order by sequence limit ?`,
    [workspaceId, range.after, range.upTo ?? Number.MAX_SAFE_INTEGER, range.limit],
  );
  return rows.map((row) => ({ id: row.id, type: row.type, occurredAt: new Date(row.occurred_at).toISOString(), sequence: Number(row.sequence), data: row.data }) as EventEnvelope);
}
