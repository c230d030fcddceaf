import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Workspace } from '../../workspaces/workspace.entity';
import { Conversation } from '../conversation.entity';
import type { PlainRow } from '../../../platform/database/plain-rows';

/** One status change, written by a trigger on conversations (never by the application). */
@Entity({ tableName: 'conversation_status_changes' })
export class ConversationStatusChange {
  @PrimaryKey({ type: 'bigint' })
  id!: string;

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  /** null for the opening of the conversation. */
  @Property({ type: 'text', nullable: true })
  fromStatus!: string | null;

  @Property({ type: 'text' })
  toStatus!: string;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  changedAt!: Date;
}

export type ConversationStatusChangeRow = PlainRow<ConversationStatusChange, 'workspace' | 'conversation'>;
