import type { Conversation } from './conversation.entity';
import type { Message } from './activity/message.entity';

/** What every conversation event carries: enough to act on without calling back. */
export function conversationSnapshot(conversation: Conversation): Record<string, unknown> {
  return {
    id: conversation.id,
    version: conversation.version,
    subject: conversation.subject,
    status: conversation.status.toUpperCase(),
    priority: conversation.priority.toUpperCase(),
    channel: conversation.channel.toUpperCase(),
    inbox: conversation.inbox,
    customerId: conversation.customer?.id ?? null,
    assigneeId: conversation.assignee?.id ?? null,
    teamId: conversation.team?.id ?? null,
    tags: conversation.tags,
    metadata: conversation.metadata,
    externalRefs: conversation.externalRefs,
    escalationReason: conversation.escalationReason,
    createdAt: conversation.createdAt.toISOString(),
    updatedAt: conversation.updatedAt.toISOString(),
    lastActivityAt: conversation.lastActivityAt.toISOString(),
    firstResponseAt: conversation.firstResponseAt?.toISOString() ?? null,
    resolvedAt: conversation.resolvedAt?.toISOString() ?? null,
  };
}

export function messageSnapshot(message: Message): Record<string, unknown> {
  return {
    id: message.id,
    conversationId: message.conversation.id,
    authorType: message.authorType.toUpperCase(),
    authorAgentId: message.authorAgent?.id ?? null,
    body: message.body,
    attachments: message.attachments,
    createdAt: message.createdAt.toISOString(),
  };
}
