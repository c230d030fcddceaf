import DataLoader from 'dataloader';
import { workspaceRowCacheKey, type LoaderFactory, type WorkspaceRowKey } from '../../../platform/request-loaders';
import { plainRowFromColumns } from '../../../platform/database/plain-rows';
import { queryRows } from '../../../platform/database/prepared-statements';
import { Message, type MessageRow } from './message.entity';

/**
 * The newest message of each conversation on a page, in one query (DISTINCT ON uses the index), as
 * plain rows; keyed by conversation id within the workspace, whose condition the SQL carries too
 * (a message row's workspace is not implied by its conversation's: their keys are apart).
 */
export const lastMessageLoader: LoaderFactory<DataLoader<WorkspaceRowKey, MessageRow | null, string>> = (em) =>
  new DataLoader(
    async (keys) => {
      const workspaceIds = [...new Set(keys.map((key) => key.workspaceId))];
      const conversationIds = [...new Set(keys.map((key) => key.id))];
      const rows = await queryRows<Record<string, unknown>>(
        em,
        `select distinct on (conversation_id) id, workspace_id, conversation_id, author_type, author_agent_id, body, attachments, created_at
         from messages where conversation_id in (${conversationIds.map(() => '?').join(', ')}) and workspace_id in (${workspaceIds.map(() => '?').join(', ')})
         order by conversation_id, created_at desc, id desc`,
        [...conversationIds, ...workspaceIds],
      );
      const byConversation = new Map(rows.map((row) => [row.conversation_id as string, plainRowFromColumns<MessageRow>(em, Message, row)]));
      return keys.map((key) => byConversation.get(key.id) ?? null);
    },
    { cacheKeyFn: workspaceRowCacheKey },
  );
