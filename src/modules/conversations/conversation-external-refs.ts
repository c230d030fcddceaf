import type { EntityManager } from '@mikro-orm/postgresql';
import { GatewayError } from '../../platform/errors';
import type { Conversation, ExternalRef } from './conversation.entity';

/**
 * Links refs in the unique lookup table and returns the conversation's new list (the caller
 * assigns it once every check passed). A ref already linked to another conversation of the
 * workspace is a CONFLICT: one CRM ticket, one conversation.
 */
export async function linkExternalRefs(em: EntityManager, conversation: Conversation, refs: readonly ExternalRef[], field: string): Promise<ExternalRef[]> {
  let linkedRefs = conversation.externalRefs;
  for (const [index, ref] of refs.entries()) {
    const linked = await em.execute<{ conversation_id: string }[]>(
      `insert into conversation_external_refs (workspace_id, system, external_id, conversation_id) values (?, ?, ?, ?)
       on conflict (workspace_id, system, external_id) do update set system = excluded.system
       returning conversation_id`,
      [conversation.workspace.id, ref.system, ref.externalId, conversation.id],
    );
    if (linked[0].conversation_id !== conversation.id) {
      throw new GatewayError('CONFLICT', `${ref.system} ${ref.externalId} is already linked to conversation ${linked[0].conversation_id}`, {
        fieldErrors: [{ field: `${field}.${index}`, message: 'Already linked to another conversation' }],
        conversationId: linked[0].conversation_id,
      });
    }
    const others = linkedRefs.filter((existing) => !(existing.system === ref.system && existing.externalId === ref.externalId));
    linkedRefs = [...others, { system: ref.system, externalId: ref.externalId, url: ref.url ?? null }];
  }
  return linkedRefs;
}

/** The conversation id linked to (system, externalId) in the workspace, if any. */
export async function findConversationIdByExternalRef(em: EntityManager, workspaceId: string, system: string, externalId: string): Promise<string | undefined> {
  const rows = await em.execute<{ conversation_id: string }[]>(
    'select conversation_id from conversation_external_refs where workspace_id = ? and system = ? and external_id = ?',
    [workspaceId, system, externalId],
  );
  return rows[0]?.conversation_id;
}
