import type { Scope } from '../../policies/auth/scopes';

export interface EventDefinition {
  /** A subscriber or webhook endpoint needs this scope to receive the event. */
  readonly requiredScope: Scope;
  readonly description: string;
  /** The shape of `data`, as documented in docs/events.md. */
  readonly data: string;
}

/**
 * Every event type the platform emits (DESIGN.md §2). Subscriptions, webhook filters and the
 * event docs derive from this one list.
 */
export const eventCatalogue = {
  'conversation.created': { requiredScope: 'conversations:read', description: 'A conversation was opened.', data: '{ conversation: ConversationSnapshot }' },
  'conversation.updated': { requiredScope: 'conversations:read', description: 'Subject, priority, tags, metadata or external refs changed.', data: '{ conversation: ConversationSnapshot }' },
  'conversation.assigned': { requiredScope: 'conversations:read', description: 'The assignee or team changed.', data: '{ conversation: ConversationSnapshot }' },
  'conversation.escalated': { requiredScope: 'conversations:read', description: 'The conversation was escalated, with a reason.', data: '{ conversation: ConversationSnapshot }' },
  'conversation.resolved': { requiredScope: 'conversations:read', description: 'The conversation was resolved.', data: '{ conversation: ConversationSnapshot }' },
  'conversation.reopened': { requiredScope: 'conversations:read', description: 'A resolved conversation was reopened.', data: '{ conversation: ConversationSnapshot }' },
  'conversation.deleted': { requiredScope: 'conversations:read', description: 'A conversation was deleted, with its messages and notes (conversationDelete).', data: '{ conversation: { id, deletedAt } }' },
  'conversation.sla_warning': {
    requiredScope: 'conversations:read',
    description: 'An SLA target of the conversation is due within its policy’s warnBeforeMinutes; announced once per due time by the scheduled check.',
    data: '{ conversation: { id, priority, channel, inbox, teamId, assigneeId, customerId }, sla: { policyId, target, dueAt } }',
  },
  'conversation.sla_breached': {
    requiredScope: 'conversations:read',
    description: 'An SLA target of the conversation passed its due time unmet; announced once per due time by the scheduled check.',
    data: '{ conversation: { id, priority, channel, inbox, teamId, assigneeId, customerId }, sla: { policyId, target, dueAt } }',
  },
  'conversation.note_created': { requiredScope: 'conversations:read', description: 'An internal note was added.', data: '{ note: { id, conversationId, author, body, createdAt }, conversation: ConversationSnapshot }' },
  'message.created': { requiredScope: 'conversations:read', description: 'A message was added to a conversation.', data: '{ message: { id, conversationId, authorType, authorAgentId, body, attachments, createdAt }, conversation: ConversationSnapshot }' },
  'customer.created': { requiredScope: 'customers:read', description: 'A customer was created (also by customerUpsert).', data: '{ customer: CustomerSnapshot }' },
  'customer.updated': { requiredScope: 'customers:read', description: 'A customer changed (also by customerUpsert).', data: '{ customer: CustomerSnapshot, changedFields: string[] }' },
  'customer.deleted': { requiredScope: 'customers:read', description: 'A customer was deleted (customerDelete); their conversations remain, with no customer.', data: '{ customer: { id, deletedAt } }' },
  'customer.erased': { requiredScope: 'customers:read', description: 'A customer’s personal data was erased (customerErase); the record remains, anonymous.', data: '{ customer: { id, erasedAt }, messagesBlanked } (no personal data)' },
  'customer.merged': { requiredScope: 'customers:read', description: 'A customer was merged into another (customerMerge): its conversations, notes, external ids and tags moved to the target.', data: '{ customer: CustomerSnapshot, mergedCustomerId }' },
  'customer.note_created': { requiredScope: 'customers:read', description: 'A note was added to a customer.', data: '{ note: { id, customerId, author, body, createdAt }, customer: CustomerSnapshot }' },
  'customer.satisfaction_feedback': { requiredScope: 'customers:read', description: 'A customer rated a conversation (CSAT 1–5 and/or NPS 0–10).', data: '{ feedback: { id, conversationId, customerId, rating, npsScore, comment, createdAt } }' },
  'api_key.created': { requiredScope: 'keys:read', description: 'An API key was created.', data: '{ apiKey: { id, version, createdBy, name, scopes, allowedCidrs, rateLimit, expiresAt } } (never a secret)' },
  'api_key.rotated': { requiredScope: 'keys:read', description: 'An API key got a new secret.', data: '{ apiKey: { id, version, previousSecretExpiresAt } }' },
  'api_key.revoked': { requiredScope: 'keys:read', description: 'An API key was revoked.', data: '{ apiKey: { id, version, revokedAt } }' },
  'api_key.usage_spike': {
    requiredScope: 'keys:read',
    description: 'A key’s requests over the last 5 minutes exceeded USAGE_SPIKE_FACTOR times its average 5 minutes of the day before (at most once an hour per key).',
    data: '{ apiKey: { id, name }, window: { from, to }, requestCount, baselineRequestCount, factor }',
  },
  'webhook.test': { requiredScope: 'webhooks:read', description: 'Sent by webhookEndpointTest, to that endpoint only.', data: '{ webhookEndpointId }' },
  'bulk_export.completed': { requiredScope: 'events:read', description: 'An export job finished; fetch bulkExport(id) { url } to download its file.', data: '{ bulkExport: { id, status, format, compression, objectCount, fileSize, errorCode, completedAt } } (never a link)' },
  'bulk_export.failed': { requiredScope: 'events:read', description: 'An export job failed; errorCode says why.', data: '{ bulkExport: { id, status, format, compression, objectCount, fileSize, errorCode, completedAt } }' },
  'webhook_endpoint.disabled': { requiredScope: 'webhooks:read', description: 'A webhook endpoint was disabled after failing continuously.', data: '{ webhookEndpoint: { id, url, disabledAt, reason } }' },
  'webhook_delivery.exhausted': { requiredScope: 'webhooks:read', description: 'A delivery used its last scheduled attempt and failed; recover it with webhookDeliveryRetry or webhookEndpointRecover.', data: '{ webhookEndpoint: { id, url }, delivery: { id, eventId, eventType, attemptCount, lastStatusCode, lastError } }' },
  'webhook_endpoint.failing': { requiredScope: 'webhooks:read', description: 'An endpoint has failed without a success for WEBHOOK_FAILING_AFTER (1 hour); once per run of failures.', data: '{ webhookEndpoint: { id, url, failingSince } }' },
  'webhook_endpoint.recovered': { requiredScope: 'webhooks:read', description: 'An endpoint that was reported failing answered 2xx again.', data: '{ webhookEndpoint: { id, url, failingSince, recoveredAt } }' },
} as const satisfies Record<string, EventDefinition>;

export type EventType = keyof typeof eventCatalogue;
