import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../platform/ids';
import { Workspace } from '../workspaces/workspace.entity';

/**
 * One row of the transactional outbox: written in the transaction of the change it describes,
 * so a committed change always has its event and a rolled-back one never does.
 */
@Entity({ tableName: 'events' })
export class EventRecord {
  [OptionalProps]?: 'id' | 'occurredAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('evt');

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  /** Gap-free per workspace, in commit order. */
  @Property({ type: 'bigint' })
  sequence!: string;

  @Property({ type: 'text' })
  type!: string;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  occurredAt: Date = new Date();

  @Property({ type: 'json' })
  data!: Record<string, unknown>;
}
