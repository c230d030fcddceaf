import DataLoader from 'dataloader';
import type { LoaderFactory } from '../../../platform/request-loaders';
import { plainRowFromColumns } from '../../../platform/database/plain-rows';
import { queryRows } from '../../../platform/database/prepared-statements';
import { Message, type MessageRow } from './message.entity';

/** The newest message of each conversation on a page, in one query (DISTINCT ON uses the index), as plain rows. */
export const lastMessageLoader: LoaderFactory<DataLoader<string, MessageRow | null>> = (em) =>
  new DataLoader(async (conversationIds) => {
    const rows = await queryRows<Record<string, unknown>>(
      em,
      `select distinct on (conversation_id) id, workspace_id, conversation_id, author_type, author_agent_id, body, attachments, created_at
       from messages where conversation_id in (${conversationIds.map(() => '?').join(', ')})
       order by conversation_id, created_at desc, id desc`,
      [...conversationIds],
    );
    const byConversation = new Map(rows.map((row) => [row.conversation_id as string, plainRowFromColumns<MessageRow>(em, Message, row)]));
    return conversationIds.map((id) => byConversation.get(id) ?? null);
  });
