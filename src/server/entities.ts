import { Agent, Team } from '../modules/agents';
import { ApiKey } from '../modules/api-keys';
import { AuditEntry } from '../modules/audit';
import { BulkExport } from '../modules/bulk-exports/bulk-export.entity';
import { Conversation, ConversationNote, ConversationStatusChange, Message, SatisfactionFeedback } from '../modules/conversations';
import { Customer, CustomerNote } from '../modules/customers';
import { EventRecord } from '../modules/events';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookRecovery } from '../modules/webhooks/webhook.entities';
import { Workspace } from '../modules/workspaces';
import { BusinessCalendar, SlaPolicy } from '../modules/sla';

/** Every MikroORM entity; the migrations in platform/database/migrations create their tables. */
export const entities = [Workspace, ApiKey, AuditEntry, Team, Agent, Customer, CustomerNote, Conversation, Message, ConversationNote, SatisfactionFeedback, ConversationStatusChange, EventRecord, WebhookEndpoint, WebhookDelivery, WebhookAttempt, WebhookRecovery, BulkExport, BusinessCalendar, SlaPolicy];
