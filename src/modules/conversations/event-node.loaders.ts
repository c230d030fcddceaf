import DataLoader from 'dataloader';
import { findPlainRows } from '../../platform/database/plain-rows';
import { workspaceRowCacheKey, workspaceRowConditions, type LoaderFactory, type WorkspaceRowKey } from '../../platform/request-loaders';
import { Message, type MessageRow } from './activity/message.entity';
import { Conversation, type ConversationRow } from './conversation.entity';

/**
 * The nodes events refer to, read in one statement per kind for a page of events (or one event
 * of a subscription). They batch without remembering: a subscription's context lives for hours
 * and each event must show its nodes as they are when it is delivered.
 */
const freshRowsById = <Row extends { id: string }>(entity: typeof Conversation | typeof Message): LoaderFactory<DataLoader<WorkspaceRowKey, Row | null, string>> =>
  (em) =>
    new DataLoader(
      async (keys) => {
        const rows = await findPlainRows<Row>(em, entity, { where: workspaceRowConditions(keys) });
        const byId = new Map(rows.map((row) => [row.id, row]));
        return keys.map((key) => byId.get(key.id) ?? null);
      },
      { cacheKeyFn: workspaceRowCacheKey, cache: false },
    );

export const freshConversationByIdLoader = freshRowsById<ConversationRow>(Conversation);
export const freshMessageByIdLoader = freshRowsById<MessageRow>(Message);
