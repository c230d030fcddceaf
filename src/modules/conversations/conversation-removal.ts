import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../platform/errors';
import { assertExpectedVersion, ExpectedVersionField } from '../../policies/concurrency/expected-version';
import { writeTransaction } from '../../platform/database/write-transaction';
import type { Actor } from '../../policies/auth/actor';
import { lockWorkspaceForWrite } from '../workspaces';
import { recordEvent } from '../events';
import { recordDeletion, type DeletedRecord } from '../deleted-records';
import type { ConversationRow } from './conversation.entity';
import { IdempotencyKeyField } from '../../policies/idempotency/idempotency-key-field';

@InputType('ConversationDeleteInput')
export class ConversationDeleteInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@ObjectType('ConversationDeletePayload')
export class ConversationDeletePayload {
  @Field(() => ID)
  deletedConversationId!: string;

  @Field(() => Date)
  deletedAt!: Date;
}

/**
 * Removes a conversation with its messages, notes, ratings and status history, leaves a
 * tombstone for syncs and records `conversation.deleted`. Its analytics contribution leaves the
 * rollups with it (a trigger, docs/deletion.md).
 */
export async function deleteConversation(em: EntityManager, actor: Actor, id: string, expectedVersion?: number | null): Promise<ConversationDeletePayload> {
  return writeTransaction(em, async (tx) => {
    await lockWorkspaceForWrite(tx, actor.workspaceId);
    const [row] = await tx.execute<{ created_at: Date; status: string; priority: string; channel: string; version: number }[]>(
      'select created_at, status, priority, channel, version from conversations where id = ? and workspace_id = ? for update',
      [id, actor.workspaceId],
    );
    if (!row) throw notFound('Conversation');
    assertExpectedVersion(row.version, expectedVersion, 'input.expectedVersion');
    const details = { status: row.status, priority: row.priority, channel: row.channel };
    const deletedAt = await recordDeletion(tx, { workspaceId: actor.workspaceId, id, type: 'conversation', createdAt: row.created_at, details });
    await tx.execute('delete from conversations where id = ? and workspace_id = ?', [id, actor.workspaceId]);
    await recordEvent(tx, actor.workspaceId, 'conversation.deleted', { conversation: { id, deletedAt: deletedAt.toISOString() } });
    return { deletedConversationId: id, deletedAt };
  });
}

/** A deleted conversation as a list shows it with `includeDeleted`: its id, deletedAt, and only non-personal values. */
export function conversationTombstone(record: DeletedRecord): ConversationRow & { deletedAt: Date } {
  const details = record.details as { status: ConversationRow['status']; priority: ConversationRow['priority']; channel: string };
  return {
    id: record.id, version: 0, subject: '', status: details.status, priority: details.priority, channel: details.channel, inbox: null, tags: [], metadata: {}, externalRefs: [],
    escalationReason: null, createdAt: record.createdAt, updatedAt: record.deletedAt, lastActivityAt: record.deletedAt, firstResponseAt: null, resolvedAt: null,
    workspace: null, customer: null, assignee: null, team: null, deletedAt: record.deletedAt,
  };
}
