import DataLoader from 'dataloader';
import type { LoaderFactory } from '../../../platform/request-loaders';
import type { MessageRow } from './message.entity';

/** The newest message of each conversation on a page, in one query (DISTINCT ON uses the index), as plain rows. */
export const lastMessageLoader: LoaderFactory<DataLoader<string, MessageRow | null>> = (em) =>
  new DataLoader(async (conversationIds) => {
    const rows = await em.execute<{ id: string; workspace_id: string; conversation_id: string; author_type: MessageRow['authorType']; author_agent_id: string | null; body: string; attachments: MessageRow['attachments']; created_at: Date }[]>(
      `select distinct on (conversation_id) id, workspace_id, conversation_id, author_type, author_agent_id, body, attachments, created_at
       from messages where conversation_id in (${conversationIds.map(() => '?').join(', ')})
       order by conversation_id, created_at desc, id desc`,
      [...conversationIds],
    );
    const byConversation = new Map<string, MessageRow>(
      rows.map((row) => [
        row.conversation_id,
        {
          id: row.id, workspace: row.workspace_id, conversation: row.conversation_id, authorType: row.author_type, authorAgent: row.author_agent_id,
          body: row.body, attachments: row.attachments, createdAt: new Date(row.created_at),
        },
      ]),
    );
    return conversationIds.map((id) => byConversation.get(id) ?? null);
  });
