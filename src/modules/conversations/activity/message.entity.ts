import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids';
import { Workspace } from '../../workspaces/workspace.entity';
import { Conversation } from '../conversation.entity';
import { Agent } from '../../agents/agent.entity';
import type { PlainRow } from '../../../platform/database/plain-rows';

export type MessageAuthorType = 'customer' | 'agent' | 'bot' | 'system';

export interface AttachmentMetadata {
  filename: string;
  contentType: string;
  sizeBytes: number;
  url: string | null;
}

@Entity({ tableName: 'messages' })
export class Message {
  [OptionalProps]?: 'id' | 'createdAt' | 'attachments' | 'authorAgent';

  @PrimaryKey({ type: 'text' })
  id: string = newId('msg');

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  @Property({ type: 'text' })
  authorType!: MessageAuthorType;

  @ManyToOne(() => Agent, { nullable: true, deleteRule: 'set null' })
  authorAgent: Agent | null = null;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'json' })
  attachments: AttachmentMetadata[] = [];

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();
}

/** A message read as plain data: relations as ids. */
export type MessageRow = PlainRow<Message, 'workspace' | 'conversation' | 'authorAgent'>;
