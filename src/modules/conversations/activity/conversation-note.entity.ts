import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids';
import { Workspace } from '../../workspaces/workspace.entity';
import { Conversation } from '../conversation.entity';
import type { PlainRow } from '../../../platform/database/plain-rows';

@Entity({ tableName: 'conversation_notes' })
export class ConversationNote {
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('note');

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  @Property({ type: 'text' })
  author!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();
}

/** A note read as plain data: relations as ids. */
export type ConversationNoteRow = PlainRow<ConversationNote, 'workspace' | 'conversation'>;
