import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { CursorPosition } from '../../platform/pagination';
import { GatewayError, badUserInput } from '../../platform/errors';
import type { PeriodicJob } from '../../platform/jobs/periodic-job';

export type DeletedRecordType = 'conversation' | 'customer';

export interface DeletedRecord {
  readonly id: string;
  readonly reason: 'DELETED' | 'MERGED';
  readonly mergedIntoId: string | null;
  /** What the record was, without personal data: a conversation's status, priority and channel. */
  readonly details: Record<string, unknown>;
  readonly createdAt: Date;
  readonly deletedAt: Date;
}

/** Writes the tombstone of a record removed in the caller's transaction: id, when, why; no personal data. */
export async function recordDeletion(
  tx: EntityManager,
  record: { workspaceId: string; id: string; type: DeletedRecordType; createdAt: Date; reason?: 'DELETED' | 'MERGED'; mergedIntoId?: string; details?: Record<string, unknown> },
): Promise<Date> {
  const [{ deleted_at }] = await tx.execute<{ deleted_at: Date }[]>(
    `insert into deleted_records (workspace_id, id, type, reason, merged_into_id, details, created_at) values (?, ?, ?, ?, ?, ?, ?)
     on conflict (workspace_id, id) do update set deleted_at = deleted_records.deleted_at returning deleted_at`,
    [record.workspaceId, record.id, record.type, record.reason ?? 'DELETED', record.mergedIntoId ?? null, JSON.stringify(record.details ?? {}), record.createdAt],
  );
  return new Date(deleted_at);
}

/** The tombstone of a removed record, or null. */
export async function findDeletedRecord(em: EntityManager, workspaceId: string, id: string): Promise<DeletedRecord | null> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    'select id, reason, merged_into_id, details, created_at, deleted_at from deleted_records where workspace_id = ? and id = ?',
    [workspaceId, id],
  );
  return row ? toDeletedRecord(row) : null;
}

export interface DeletedRecordWindow {
  readonly after?: Date | null;
  readonly before?: Date | null;
}

/**
 * Tombstones of one type in `order` of (deletedAt, id), beyond `position`: the rows a list walks
 * beside its live rows when `includeDeleted` is set, ordered by update time (a deletion is the
 * record's last update).
 */
export async function deletedRecordsBeyond(
  em: EntityManager,
  workspaceId: string,
  type: DeletedRecordType,
  window: DeletedRecordWindow,
  position: CursorPosition | undefined,
  order: 'asc' | 'desc',
  limit: number,
): Promise<DeletedRecord[]> {
  const comparison = order === 'asc' ? '>' : '<';
  const conditions: [string, ...unknown[]][] = [['workspace_id = ? and type = ?', workspaceId, type]];
  if (window.after) conditions.push(['deleted_at >= ?', window.after]);
  if (window.before) conditions.push(['deleted_at < ?', window.before]);
  if (position) conditions.push([`(deleted_at, id) ${comparison} (?::timestamptz, ?)`, position.value, position.id]);
  const rows = await em.execute<Record<string, unknown>[]>(
    `select id, reason, merged_into_id, details, created_at, deleted_at from deleted_records where ${conditions.map(([sql]) => sql).join(' and ')}
     order by deleted_at ${order}, id ${order} limit ?`,
    [...conditions.flatMap(([, ...values]) => values), limit],
  );
  return rows.map(toDeletedRecord);
}

function toDeletedRecord(row: Record<string, unknown>): DeletedRecord {
  return {
    id: row.id as string,
    reason: row.reason as DeletedRecord['reason'],
    mergedIntoId: (row.merged_into_id as string | null) ?? null,
    details: row.details as Record<string, unknown>,
    createdAt: new Date(row.created_at as string),
    deletedAt: new Date(row.deleted_at as string),
  };
}

/** Tombstones are kept TOMBSTONE_RETENTION (90 days): long enough for a weekly, even a monthly, sync. */
export function deletedRecordRetentionJob(retentionMs: number): PeriodicJob {
  return {
    name: 'tombstone retention',
    lockId: 4_108_003,
    intervalMs: 60 * 60_000,
    async run(orm: MikroORM) {
      const removed = await orm.em.fork().execute<{ id: string }[]>(
        `delete from deleted_records where deleted_at < now() - ? * interval '1 millisecond' returning id`,
        [retentionMs],
      );
      return removed.length;
    },
  };
}

/** `includeDeleted` walks tombstones by deletion time beside live rows by update time: it needs update order, and an API key. */
export function checkDeletedRecordsListable(sortField: string, reach: unknown): void {
  if (sortField !== 'updatedAt') throw badUserInput([{ field: 'includeDeleted', message: 'Deleted records are listed in update order only: add orderBy: {field: UPDATED_AT}' }]);
  if (reach) throw new GatewayError('FORBIDDEN', 'Client tokens cannot list deleted records', { requiredScopes: [], grantedScopes: [] });
}
