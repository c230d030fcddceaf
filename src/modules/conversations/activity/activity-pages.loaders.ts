import { nestedPageLoader, type NestedPageArgs } from '../../../platform/pagination';
import type { MessageService } from './message.service';

/** `Conversation.messages` of every conversation of a level: one statement per distinct arguments. */
export const messagePagesLoader = (messages: MessageService) =>
  nestedPageLoader((em, conversationIds, { workspaceId, page }: NestedPageArgs) => messages.listMessages(em, workspaceId, conversationIds, page));

/** `Conversation.notes` of every conversation of a level: one statement per distinct arguments. */
export const notePagesLoader = (messages: MessageService) =>
  nestedPageLoader((em, conversationIds, { workspaceId, page }: NestedPageArgs) => messages.listNotes(em, workspaceId, conversationIds, page));
