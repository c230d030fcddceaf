import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../platform/ids';
import { Agent, Team } from '../agents/agent.entity';
import { Customer } from '../customers/customer.entity';
import { Workspace } from '../workspaces/workspace.entity';
import type { PlainRow } from '../../platform/database/plain-rows';

export type ConversationStatus = 'open' | 'pending' | 'escalated' | 'resolved';
export type ConversationPriority = 'low' | 'normal' | 'high' | 'urgent';

/** A link to the same ticket in another system (CRM, helpdesk). */
export interface ExternalRef {
  system: string;
  externalId: string;
  url: string | null;
}

@Entity({ tableName: 'conversations' })
export class Conversation {
  [OptionalProps]?:
    | 'id' | 'createdAt' | 'updatedAt' | 'lastActivityAt' | 'firstResponseAt' | 'resolvedAt' | 'tags' | 'metadata'
    | 'externalRefs' | 'escalationReason' | 'inbox' | 'assignee' | 'team' | 'customer' | 'status' | 'priority' | 'version';

  @PrimaryKey({ type: 'text' })
  id: string = newId('conv');

  /** Raised by one with every change (optimistic concurrency: `expectedVersion`). */
  @Property({ type: 'integer' })
  version = 1;

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @ManyToOne(() => Customer, { nullable: true, deleteRule: 'set null' })
  customer: Customer | null = null;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'text' })
  status: ConversationStatus = 'open';

  @Property({ type: 'text' })
  priority: ConversationPriority = 'normal';

  @Property({ type: 'text' })
  channel!: string;

  @Property({ type: 'text', nullable: true })
  inbox: string | null = null;

  @ManyToOne(() => Agent, { nullable: true, deleteRule: 'set null' })
  assignee: Agent | null = null;

  @ManyToOne(() => Team, { nullable: true, deleteRule: 'set null' })
  team: Team | null = null;

  @Property({ type: 'text[]' })
  tags: string[] = [];

  @Property({ type: 'json' })
  metadata: Record<string, unknown> = {};

  @Property({ type: 'json' })
  externalRefs: ExternalRef[] = [];

  @Property({ type: 'text', nullable: true })
  escalationReason: string | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  updatedAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  lastActivityAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  firstResponseAt: Date | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  resolvedAt: Date | null = null;
}

/** A conversation read as plain data: relations as ids. */
export type ConversationRow = PlainRow<Conversation, 'workspace' | 'customer' | 'assignee' | 'team'>;
