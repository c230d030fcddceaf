import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput } from '../../platform/errors';
import { assertExpectedVersion } from '../../policies/concurrency/expected-version';
import { limits } from '../../platform/validation';
import { writeTransaction } from '../../platform/database/write-transaction';
import type { Actor } from '../../policies/auth/actor';
import { findDeletedRecord, recordDeletion } from '../deleted-records';
import { recordEvent } from '../events';
import { lockWorkspaceForWrite } from '../workspaces';
import { Customer } from './customer.entity';
import { customerSnapshot } from './customer.events';
import { lockCustomer } from './customer-lock';
import { lockIdentities } from './customer-identities';

/**
 * Deleting, erasing and merging customers (docs/deletion.md). Each runs in one transaction with
 * its event and, for deletion and merge, the tombstone incremental syncs read.
 */
export class CustomerRemovalService {
  /** Removes the customer, their notes and external ids; their conversations stay, with no customer; their ratings stay in the figures, unattributed. */
  async delete(em: EntityManager, actor: Actor, id: string, expectedVersion?: number | null): Promise<{ deletedCustomerId: string; deletedAt: Date }> {
    return writeTransaction(em, async (tx) => {
      const customer = await lockCustomer(tx, actor.workspaceId, id, 'input.id');
      assertExpectedVersion(customer.version, expectedVersion, 'input.expectedVersion');
      const deletedAt = await recordDeletion(tx, { workspaceId: actor.workspaceId, id, type: 'customer', createdAt: customer.createdAt });
      await scrubCustomerFromEvents(tx, actor.workspaceId, id);
      await tx.execute('update satisfaction_feedback set customer_id = null, comment = null where customer_id = ? and workspace_id = ?', [id, actor.workspaceId]);
      // Their conversations change (no customer now): a sync reading updatedAfter sees them.
      await tx.execute('update conversations set customer_id = null, updated_at = now() where customer_id = ? and workspace_id = ?', [id, actor.workspaceId]);
      await tx.execute('delete from customers where id = ? and workspace_id = ?', [id, actor.workspaceId]);
      tx.getUnitOfWork().unsetIdentity(customer);
      await recordEvent(tx, actor.workspaceId, 'customer.deleted', { customer: { id, deletedAt: deletedAt.toISOString() } });
      return { deletedCustomerId: id, deletedAt };
    });
  }

  /**
   * Erases a customer's personal data wherever the gateway holds it: the record's name, email,
   * phone, locale, tags, attributes and external ids; their notes and rating comments; the
   * customer snapshots in past events; and, with `blankMessages`, the text and attachments of
   * the messages they wrote. The record stays, anonymous, with its conversations.
   */
  async erase(em: EntityManager, actor: Actor, id: string, blankMessages: boolean): Promise<Customer> {
    return writeTransaction(em, async (tx) => {
      const customer = await lockCustomer(tx, actor.workspaceId, id, 'input.id');
      Object.assign(customer, { name: null, email: null, phone: null, locale: null, tags: [], customAttributes: {}, externalIds: {}, updatedAt: new Date() });
      await tx.execute('delete from customer_external_ids where customer_id = ? and workspace_id = ?', [id, actor.workspaceId]);
      await tx.execute('delete from customer_notes where customer_id = ? and workspace_id = ?', [id, actor.workspaceId]);
      await tx.execute('update satisfaction_feedback set comment = null where customer_id = ? and workspace_id = ?', [id, actor.workspaceId]);
      if (blankMessages) await blankMessagesOf(tx, actor.workspaceId, id);
      await scrubCustomerFromEvents(tx, actor.workspaceId, id);
      await tx.flush();
      await recordEvent(tx, actor.workspaceId, 'customer.erased', { customer: { id, erasedAt: customer.updatedAt.toISOString() }, messagesBlanked: blankMessages });
      return customer;
    });
  }

  /**
   * Moves the source's conversations, notes, ratings, external ids (those of systems the target
   * has no id in) and tags onto the target, fills the target's empty name, email, phone and
   * locale from it, merges attributes (the target's win), then removes the source, leaving a
   * tombstone that names the target. Merging a source already merged into this target answers
   * the target again.
   */
  async merge(em: EntityManager, actor: Actor, sourceId: string, targetId: string): Promise<Customer> {
    if (sourceId === targetId) throw badUserInput([{ field: 'input.targetId', message: 'The target must be another customer than the source' }]);
    return writeTransaction(em, async (tx) => {
      await lockWorkspaceForWrite(tx, actor.workspaceId);
      const merged = await findDeletedRecord(tx, actor.workspaceId, sourceId);
      if (merged?.mergedIntoId === targetId) return lockCustomer(tx, actor.workspaceId, targetId, 'input.targetId');
      const source = await lockCustomer(tx, actor.workspaceId, sourceId, 'input.sourceId');
      const target = await lockCustomer(tx, actor.workspaceId, targetId, 'input.targetId');
      const movedSystems = Object.keys(source.externalIds).filter((system) => target.externalIds[system] === undefined);
      await lockIdentities(tx, actor.workspaceId, { emails: [source.email], externalIds: movedSystems.map((system) => ({ system, externalId: source.externalIds[system] })) });
      await tx.execute('update conversations set customer_id = ?, updated_at = now() where customer_id = ? and workspace_id = ?', [targetId, sourceId, actor.workspaceId]);
      for (const table of ['customer_notes', 'satisfaction_feedback']) {
        await tx.execute(`update ${table} set customer_id = ? where customer_id = ? and workspace_id = ?`, [targetId, sourceId, actor.workspaceId]);
      }
      if (movedSystems.length > 0) {
        await tx.execute(`update customer_external_ids set customer_id = ? where customer_id = ? and system in (${movedSystems.map(() => '?').join(', ')})`, [targetId, sourceId, ...movedSystems]);
      }
      const deletedAt = await recordDeletion(tx, { workspaceId: actor.workspaceId, id: sourceId, type: 'customer', createdAt: source.createdAt, reason: 'MERGED', mergedIntoId: targetId });
      const taken = { name: source.name, email: source.email, phone: source.phone, locale: source.locale };
      await tx.execute('delete from customers where id = ? and workspace_id = ?', [sourceId, actor.workspaceId]);
      tx.getUnitOfWork().unsetIdentity(source);
      target.name ??= taken.name;
      target.email ??= taken.email;
      target.phone ??= taken.phone;
      target.locale ??= taken.locale;
      target.tags = [...new Set([...target.tags, ...source.tags])].slice(0, limits.maxTags);
      target.customAttributes = { ...source.customAttributes, ...target.customAttributes };
      target.externalIds = { ...target.externalIds, ...Object.fromEntries(movedSystems.map((system) => [system, source.externalIds[system]])) };
      target.updatedAt = deletedAt;
      target.version += 1;
      await tx.flush();
      await recordEvent(tx, actor.workspaceId, 'customer.merged', { customer: customerSnapshot(target), mergedCustomerId: sourceId });
      return target;
    });
  }
}

/** Past events keep the customer's id only (the snapshot's personal fields, their notes' text and their rating comments are replaced), and no stored answer shows them. */
async function scrubCustomerFromEvents(tx: EntityManager, workspaceId: string, customerId: string): Promise<void> {
  await tx.execute(
    `update events set data = jsonb_set(data, '{customer}', jsonb_build_object('id', data->'customer'->'id', 'erased', true))
     where workspace_id = ? and data->'customer'->>'id' = ?`,
    [workspaceId, customerId],
  );
  await tx.execute(`update events set data = jsonb_set(data, '{note,body}', '""') where workspace_id = ? and type = 'customer.note_created' and data->'note'->>'customerId' = ?`, [workspaceId, customerId]);
  await tx.execute(`update events set data = jsonb_set(data, '{feedback,comment}', 'null') where workspace_id = ? and data->'feedback'->>'customerId' = ?`, [workspaceId, customerId]);
  // Answers kept for idempotent retries (24 h) may show the customer: a retry now runs again instead.
  await tx.execute(`delete from idempotency_records where workspace_id = ? and response::text like ?`, [workspaceId, `%"${customerId}"%`]);
}

/** Their messages' text and attachments, in the messages and in the events that carried them. */
async function blankMessagesOf(tx: EntityManager, workspaceId: string, customerId: string): Promise<void> {
  const blanked = await tx.execute<{ id: string }[]>(
    `update messages m set body = '', attachments = '[]' from conversations c
     where c.id = m.conversation_id and c.customer_id = ? and c.workspace_id = ? and m.workspace_id = ? and m.author_type = 'customer' returning m.id`,
    [customerId, workspaceId, workspaceId],
  );
  if (blanked.length === 0) return;
  await tx.execute(
    `update events set data = jsonb_set(jsonb_set(data, '{message,body}', '""'), '{message,attachments}', '[]')
     where workspace_id = ? and type = 'message.created' and data->'message'->>'id' in (${blanked.map(() => '?').join(', ')})`,
    [workspaceId, ...blanked.map((row) => row.id)],
  );
}
