import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids';
import { Workspace } from '../../workspaces/workspace.entity';
import { Customer } from '../../customers/customer.entity';
import { Conversation } from '../conversation.entity';

@Entity({ tableName: 'satisfaction_feedback' })
export class SatisfactionFeedback {
  [OptionalProps]?: 'id' | 'createdAt' | 'rating' | 'npsScore' | 'comment' | 'customer';

  @PrimaryKey({ type: 'text' })
  id: string = newId('csat');

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  @ManyToOne(() => Customer, { nullable: true, deleteRule: 'cascade' })
  customer: Customer | null = null;

  @Property({ type: 'integer', nullable: true })
  rating: number | null = null;

  @Property({ type: 'integer', nullable: true })
  npsScore: number | null = null;

  @Property({ type: 'text', nullable: true })
  comment: string | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();
}
