import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../platform/ids';
import { Workspace } from '../workspaces/workspace.entity';
import type { PlainRow } from '../../platform/database/plain-rows';

/** A person who contacts support. Unique by email and by each external id within a workspace. */
@Entity({ tableName: 'customers' })
export class Customer {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'tags' | 'customAttributes' | 'externalIds' | 'name' | 'email' | 'phone' | 'locale' | 'version';

  @PrimaryKey({ type: 'text' })
  id: string = newId('cus');

  /** Raised by one with every change (optimistic concurrency: `expectedVersion`). */
  @Property({ type: 'integer' })
  version = 1;

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @Property({ type: 'text', nullable: true })
  name: string | null = null;

  /** Stored as given; uniqueness is case-insensitive. */
  @Property({ type: 'text', nullable: true })
  email: string | null = null;

  /** E.164 */
  @Property({ type: 'text', nullable: true })
  phone: string | null = null;

  @Property({ type: 'text', nullable: true })
  locale: string | null = null;

  @Property({ type: 'text[]' })
  tags: string[] = [];

  @Property({ type: 'json' })
  customAttributes: Record<string, unknown> = {};

  /** `{system: externalId}`, mirrored in customer_external_ids for unique lookup. */
  @Property({ type: 'json' })
  externalIds: Record<string, string> = {};

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  updatedAt: Date = new Date();
}

/** A customer read as plain data: relations as ids. */
export type CustomerRow = PlainRow<Customer, 'workspace'>;

@Entity({ tableName: 'customer_notes' })
export class CustomerNote {
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('cnote');

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @ManyToOne(() => Customer, { deleteRule: 'cascade' })
  customer!: Customer;

  /** `key_…` of the writing key. */
  @Property({ type: 'text' })
  author!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();
}

/** A note read as plain data: relations as ids. */
export type CustomerNoteRow = PlainRow<CustomerNote, 'workspace' | 'customer'>;
