import { Agent, Team } from '../modules/agents/agent.entity';
import { ApiKey } from '../modules/api-keys';
import { AuditEntry } from '../modules/audit';
import { ConversationNote } from '../modules/conversations/conversation-note.entity';
import { Conversation } from '../modules/conversations/conversation.entity';
import { Message } from '../modules/conversations/message.entity';
import { SatisfactionFeedback } from '../modules/conversations/satisfaction-feedback.entity';
import { Customer, CustomerNote } from '../modules/customers/customer.entity';
import { EventRecord } from '../modules/events/event.entity';
import { Workspace } from '../modules/workspaces';

/** Every MikroORM entity; the migrations in platform/database/migrations create their tables. */
export const entities = [Workspace, ApiKey, AuditEntry, Team, Agent, Customer, CustomerNote, Conversation, Message, ConversationNote, SatisfactionFeedback, EventRecord];
