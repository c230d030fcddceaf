import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../platform/ids';
import { Workspace } from '../workspaces/workspace.entity';

@Entity({ tableName: 'teams' })
export class Team {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'externalId' | 'version';

  @PrimaryKey({ type: 'text' })
  id: string = newId('team');

  /** Raised by one with every change of a setting (optimistic concurrency: `expectedVersion`). */
  @Property({ type: 'integer' })
  version = 1;

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @Property({ type: 'text' })
  name!: string;

  /** The identity provider's id for the group (SCIM externalId). */
  @Property({ type: 'text', nullable: true })
  externalId: string | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  updatedAt: Date = new Date();
}

/** A support agent conversations can be assigned to. */
@Entity({ tableName: 'agents' })
export class Agent {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'team' | 'deactivatedAt' | 'externalId' | 'version';

  @PrimaryKey({ type: 'text' })
  id: string = newId('agt');

  /** Raised by one with every change of a setting (optimistic concurrency: `expectedVersion`). */
  @Property({ type: 'integer' })
  version = 1;

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @ManyToOne(() => Team, { nullable: true, deleteRule: 'set null' })
  team: Team | null = null;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  email!: string;

  /** The identity provider's id for the user (SCIM externalId). */
  @Property({ type: 'text', nullable: true })
  externalId: string | null = null;

  /** Set by agentDeactivate: no new assignments; the agent's history stays. */
  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  deactivatedAt: Date | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  updatedAt: Date = new Date();
}
