import { plainRowsByIdLoader } from '../../platform/request-loaders';
import { Message, type MessageRow } from './activity/message.entity';
import { Conversation, type ConversationRow } from './conversation.entity';

/** The nodes events refer to, one statement per kind for a page of events, fresh for each event of a subscription. */
export const freshConversationByIdLoader = plainRowsByIdLoader<ConversationRow>(Conversation, { isCached: false });
export const freshMessageByIdLoader = plainRowsByIdLoader<MessageRow>(Message, { isCached: false });
