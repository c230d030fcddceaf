import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../platform/ids';
import { Workspace } from '../workspaces/workspace.entity';
import type { PlainRow } from '../../platform/database/plain-rows';

/** Where a workspace wants its events POSTed. The signing secret is stored sealed (SecretBox). */
@Entity({ tableName: 'webhook_endpoints' })
export class WebhookEndpoint {
  [OptionalProps]?: 'id' | 'description' | 'eventTypes' | 'isEnabled' | 'disabledReason' | 'previousSecretCiphertext' | 'previousSecretExpiresAt' | 'failingSince' | 'failingNotifiedAt' | 'payloadQuery' | 'payloadScopes' | 'filter' | 'headersCiphertext' | 'headerPreviews' | 'httpMethod' | 'rateLimitPerSecond' | 'retryScheduleMs' | 'createdAt' | 'updatedAt' | 'deletedAt' | 'version';

  @PrimaryKey({ type: 'text' })
  id: string = newId('we');

  /** Raised by one with every change of a setting (optimistic concurrency: `expectedVersion`). */
  @Property({ type: 'integer' })
  version = 1;

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

  /** When `webhook_endpoint.failing` was recorded for the current run of failures; null after any success. */
  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  failingNotifiedAt: Date | null = null;

  /** A selection on `Event` whose result is the body; null for the event envelope. */
  @Property({ type: 'text', nullable: true })
  payloadQuery: string | null = null;

  /** The registering key's scopes the selection needed: it executes with exactly these. */
  @Property({ type: 'text[]', nullable: true })
  payloadScopes: string[] | null = null;

  /** Conditions on the conversation an event concerns (`EventFilter` without types and times); null for every event. */
  @Property({ type: 'json', columnType: 'jsonb', nullable: true })
  filter: EndpointFilter | null = null;

  /** The custom headers as JSON `[name, value][]`, sealed (SecretBox): they often hold a receiver's credentials. */
  @Property({ type: 'text', nullable: true, hidden: true })
  headersCiphertext: string | null = null;

  /** Each header's name and masked value, so reading an endpoint never opens its headers. */
  @Property({ type: 'json', columnType: 'jsonb', nullable: true })
  headerPreviews: HeaderPreview[] | null = null;

  @Property({ type: 'text' })
  httpMethod: WebhookHttpMethod = 'POST';

  /** Deliveries started per second, across instances; null for no limit beyond the in-flight caps. */
  @Property({ type: 'integer', nullable: true })
  rateLimitPerSecond: number | null = null;

  /** The delay before each attempt (the first is 0), overriding the instance's schedule; null for the instance's. */
  @Property({ type: 'int[]', columnType: 'int[]', nullable: true })
  retryScheduleMs: number[] | null = null;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  updatedAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  deletedAt: Date | null = null;
}

export type WebhookHttpMethod = 'POST' | 'PUT';

export interface HeaderPreview {
  readonly name: string;
  readonly maskedValue: string;
}

/** Stored (lower-case) channel values, as conversation conditions take them. */
export interface EndpointFilter {
  readonly channels?: readonly string[];
  readonly inboxes?: readonly string[];
  readonly teamIds?: readonly string[];
  readonly assigneeIds?: readonly string[];
  readonly conversationIds?: readonly string[];
  readonly customerIds?: readonly string[];
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event to one endpoint: delivered at least once, every attempt logged. */
@Entity({ tableName: 'webhook_deliveries' })
export class WebhookDelivery {
  [OptionalProps]?: 'id' | 'status' | 'attemptCount' | 'nextAttemptAt' | 'leasedUntil' | 'lastStatusCode' | 'lastError' | 'payload' | 'claimedAt' | 'createdAt' | 'updatedAt';

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

  /** The body a payload selection rendered, kept from the first attempt so every attempt and resend sends the same bytes. */
  @Property({ type: 'text', nullable: true, lazy: true })
  payload: string | null = null;

  /** The last time an instance leased it, for endpoints with a rate limit (which counts these); null otherwise. */
  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  claimedAt: Date | null = null;

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

  /** Denormalised from the delivery: an endpoint's statistics read its attempts by time alone. */
  @Property({ type: 'text' })
  endpointId!: string;

  @Property({ type: 'text' })
  outcome!: AttemptOutcome;

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

/** How an attempt ended; failures by kind in statistics and the metrics' only label. */
export type AttemptOutcome = 'succeeded' | 'redirect' | 'client_error' | 'server_error' | 'timeout' | 'connection_error' | 'refused_address' | 'payload_error';

export type RecoveryStatus = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED';

/** `webhookEndpointRecover`: FAILED deliveries of a time range due again, requeued by a background job. */
@Entity({ tableName: 'webhook_recoveries' })
export class WebhookRecovery {
  [OptionalProps]?: 'id' | 'until' | 'status' | 'totalCount' | 'requeuedCount' | 'errorMessage' | 'createdAt' | 'completedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('wrec');

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @Property({ type: 'text' })
  endpointId!: string;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  since!: Date;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  until: Date | null = null;

  @Property({ type: 'text' })
  status: RecoveryStatus = 'QUEUED';

  /** FAILED deliveries in the range when the job started; null until then. */
  @Property({ type: 'integer', nullable: true })
  totalCount: number | null = null;

  @Property({ type: 'integer' })
  requeuedCount = 0;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  completedAt: Date | null = null;
}
