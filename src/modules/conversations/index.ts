export { Conversation } from './conversation.entity';
export { Message } from './message.entity';
export { ConversationNote } from './conversation-note.entity';
export { SatisfactionFeedback } from './satisfaction-feedback.entity';
export { ConversationService } from './conversation.service';
export { MessageService } from './message.service';
export { ConversationResolver } from './conversation.resolver';
export { ConversationFieldsResolver } from './conversation-fields.resolver';
export { ConversationType, ConversationConnection, toConversationType } from './conversation.type';
