import { registerEnumType } from 'type-graphql';

export enum ConversationStatusEnum {
  OPEN = 'open',
  PENDING = 'pending',
  ESCALATED = 'escalated',
  RESOLVED = 'resolved',
}
registerEnumType(ConversationStatusEnum, {
  name: 'ConversationStatus',
  description: 'OPEN → PENDING | ESCALATED | RESOLVED; PENDING → OPEN | ESCALATED | RESOLVED; ESCALATED → OPEN | PENDING | RESOLVED; RESOLVED → OPEN.',
});

export enum ConversationPriorityEnum {
  LOW = 'low',
  NORMAL = 'normal',
  HIGH = 'high',
  URGENT = 'urgent',
}
registerEnumType(ConversationPriorityEnum, { name: 'ConversationPriority' });

export enum ChannelEnum {
  WEB_CHAT = 'web_chat',
  EMAIL = 'email',
  WHATSAPP = 'whatsapp',
  SMS = 'sms',
  PHONE = 'phone',
  SOCIAL = 'social',
  API = 'api',
}
registerEnumType(ChannelEnum, { name: 'Channel', description: 'Where the conversation takes place.' });

export enum MessageAuthorTypeEnum {
  CUSTOMER = 'customer',
  AGENT = 'agent',
  BOT = 'bot',
  SYSTEM = 'system',
}
registerEnumType(MessageAuthorTypeEnum, { name: 'MessageAuthorType' });

export enum ConversationOrderField {
  CREATED_AT = 'createdAt',
  UPDATED_AT = 'updatedAt',
  LAST_ACTIVITY_AT = 'lastActivityAt',
}
registerEnumType(ConversationOrderField, { name: 'ConversationOrderField' });
