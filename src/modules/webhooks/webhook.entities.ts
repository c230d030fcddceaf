import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../platform/ids';
import { Workspace } from '../workspaces/workspace.entity';
import type { PlainRow } from '../../platform/database/plain-rows';

/** Where a workspace wants its events POSTed. The signing secret is stored sealed (SecretBox). */
@Entity({ tableName: 'webhook_endpoints' })
export class WebhookEndpoint {
  [OptionalProps]?: 'id' | 'description' | 'eventTypes' | 'isEnabled' | 'disabledReason' | 'previousSecretCiphertext' | 'previousSecretExpiresAt' | 'failingSince' | 'createdAt' | 'updatedAt' | 'deletedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('we');

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @Property({ type: 'text' })
  url!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  /** null: every event the workspace produces. */
  @Property({ type: 'text[]', nullable: true })
  eventTypes: string[] | null = null;

  @Property({ type: 'boolean' })
  isEnabled = true;

  @Property({ type: 'text', nullable: true })
  disabledReason: string | null = null;

  @Property({ type: 'text', hidden: true })
  secretCiphertext!: string;

  /** During a rotation overlap both secrets sign: two `v1,` signatures in the header. */
  @Property({ type: 'text', nullable: true, hidden: true })
  previousSecretCiphertext: string | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  previousSecretExpiresAt: Date | null = null;

  /** Events up to this sequence have their deliveries created for this endpoint. */
  @Property({ type: 'bigint' })
  enqueuedThroughSequence!: string;

  /** Start of the current run of failed attempts; null after any success. */
  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  failingSince: Date | null = null;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  updatedAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  deletedAt: Date | null = null;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event to one endpoint: delivered at least once, every attempt logged. */
@Entity({ tableName: 'webhook_deliveries' })
export class WebhookDelivery {
  [OptionalProps]?: 'id' | 'status' | 'attemptCount' | 'nextAttemptAt' | 'leasedUntil' | 'lastStatusCode' | 'lastError' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('del');

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @ManyToOne(() => WebhookEndpoint, { deleteRule: 'cascade' })
  endpoint!: WebhookEndpoint;

  @Property({ type: 'text' })
  eventId!: string;

  @Property({ type: 'bigint' })
  eventSequence!: string;

  @Property({ type: 'text' })
  eventType!: string;

  @Property({ type: 'text' })
  status: DeliveryStatus = 'pending';

  @Property({ type: 'integer' })
  attemptCount = 0;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  nextAttemptAt: Date | null = new Date();

  /** An instance working on the delivery holds it until then; a crash lets it expire. */
  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  leasedUntil: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  lastStatusCode: number | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  updatedAt: Date = new Date();
}

/** A delivery read as plain data: relations as ids. */
export type WebhookDeliveryRow = PlainRow<WebhookDelivery, 'workspace' | 'endpoint'>;

@Entity({ tableName: 'webhook_attempts' })
export class WebhookAttempt {
  [OptionalProps]?: 'id' | 'statusCode' | 'responseExcerpt' | 'error' | 'createdAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('att');

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @ManyToOne(() => WebhookDelivery, { deleteRule: 'cascade' })
  delivery!: WebhookDelivery;

  @Property({ type: 'integer' })
  attemptNumber!: number;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  startedAt!: Date;

  @Property({ type: 'integer' })
  durationMs!: number;

  @Property({ type: 'integer', nullable: true })
  statusCode: number | null = null;

  /** At most 2 KB of the response body. */
  @Property({ type: 'text', nullable: true })
  responseExcerpt: string | null = null;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();
}
