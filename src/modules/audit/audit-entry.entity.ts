import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Workspace } from '../workspaces/workspace.entity';

/** One administrative change, written in the transaction of the change itself. */
@Entity({ tableName: 'audit_entries' })
@Index({ properties: ['workspace', 'createdAt', 'id'] })
export class AuditEntry {
  [OptionalProps]?: 'id' | 'createdAt' | 'actorIp' | 'requestId' | 'changes';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  /** e.g. `api_key.created` */
  @Property({ type: 'text' })
  action!: string;

  /** `key_…` of the acting key, or `cli` / `bootstrap`. */
  @Property({ type: 'text' })
  actor!: string;

  @Property({ type: 'text', nullable: true })
  actorIp: string | null = null;

  @Property({ type: 'text', nullable: true })
  requestId: string | null = null;

  @Property({ type: 'text' })
  targetType!: string;

  @Property({ type: 'text' })
  targetId!: string;

  /** What changed, never a secret. */
  @Property({ type: 'jsonb' })
  changes: Record<string, unknown> = {};

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();
}
