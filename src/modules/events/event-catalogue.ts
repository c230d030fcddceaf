import type { Scope } from '../../policies/auth/scopes';

export interface EventDefinition {
  /** A subscriber or webhook endpoint needs this scope to receive the event. */
  readonly requiredScope: Scope;
  readonly description: string;
}

/**
 * Every event type the platform emits (DESIGN.md §2). Subscriptions, webhook filters and the
 * event docs derive from this one list.
 */
export const eventCatalogue = {
  'conversation.created': { requiredScope: 'conversations:read', description: 'A conversation was opened.' },
  'conversation.updated': { requiredScope: 'conversations:read', description: 'Subject, priority, tags, metadata or external refs changed.' },
  'conversation.assigned': { requiredScope: 'conversations:read', description: 'The assignee or team changed.' },
  'conversation.escalated': { requiredScope: 'conversations:read', description: 'The conversation was escalated, with a reason.' },
  'conversation.resolved': { requiredScope: 'conversations:read', description: 'The conversation was resolved.' },
  'conversation.reopened': { requiredScope: 'conversations:read', description: 'A resolved conversation was reopened.' },
  'conversation.note_created': { requiredScope: 'conversations:read', description: 'An internal note was added.' },
  'message.created': { requiredScope: 'conversations:read', description: 'A message was added to a conversation.' },
  'customer.created': { requiredScope: 'customers:read', description: 'A customer was created (also by customerUpsert).' },
  'customer.updated': { requiredScope: 'customers:read', description: 'A customer changed (also by customerUpsert).' },
  'customer.note_created': { requiredScope: 'customers:read', description: 'A note was added to a customer.' },
  'customer.satisfaction_feedback': { requiredScope: 'customers:read', description: 'A customer rated a conversation (CSAT 1–5 and/or NPS 0–10).' },
  'api_key.created': { requiredScope: 'keys:read', description: 'An API key was created.' },
  'api_key.rotated': { requiredScope: 'keys:read', description: 'An API key got a new secret.' },
  'api_key.revoked': { requiredScope: 'keys:read', description: 'An API key was revoked.' },
  'webhook_endpoint.disabled': { requiredScope: 'webhooks:read', description: 'A webhook endpoint was disabled after failing continuously.' },
} as const satisfies Record<string, EventDefinition>;

export type EventType = keyof typeof eventCatalogue;
