import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLSafeInt } from 'graphql-scalars';
import { connectionType } from '../../../platform/pagination';
import { idOf } from '../../../platform/database/plain-rows';
import { NodeInterface } from '../../../platform/node';
import type { AttemptOutcome, DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookDeliveryRow } from '../webhook.entities';

export enum WebhookDeliveryStatusEnum {
  PENDING = 'pending',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
}
registerEnumType(WebhookDeliveryStatusEnum, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING: waiting for its next attempt. SUCCEEDED: a 2xx answer. FAILED: attempts exhausted, or the endpoint was deleted.',
});

export enum WebhookAttemptOutcomeEnum {
  SUCCEEDED = 'succeeded',
  REDIRECT = 'redirect',
  CLIENT_ERROR = 'client_error',
  SERVER_ERROR = 'server_error',
  TIMEOUT = 'timeout',
  CONNECTION_ERROR = 'connection_error',
  REFUSED_ADDRESS = 'refused_address',
  PAYLOAD_ERROR = 'payload_error',
}
registerEnumType(WebhookAttemptOutcomeEnum, {
  name: 'WebhookAttemptOutcome',
  description:
    'SUCCEEDED: a 2xx answer. REDIRECT, CLIENT_ERROR, SERVER_ERROR: a 3xx (never followed), 4xx or 5xx answer. TIMEOUT: no complete answer in time. ' +
    'CONNECTION_ERROR: DNS, connection or TLS failure. REFUSED_ADDRESS: the host resolved to an address outbound policy forbids. PAYLOAD_ERROR: the payload selection could not be rendered.',
});

@ObjectType('WebhookAttempt', { implements: NodeInterface, description: 'One request of a delivery and what came back.' })
export class WebhookAttemptType {
  @Field(() => ID, { description: 'Public id `att_…`, fetchable with `node(id)`.' })
  id!: string;

  @Field(() => ID, { description: 'The `del_…` delivery it belongs to.' })
  deliveryId!: string;

  @Field(() => Int, { description: '1 for the first attempt.' })
  attemptNumber!: number;

  @Field(() => Date)
  startedAt!: Date;

  @Field(() => Int, { description: 'Until the response was read, or the attempt failed, in milliseconds.' })
  durationMs!: number;

  @Field(() => Int, { nullable: true, description: 'HTTP status; null when no response arrived.' })
  statusCode!: number | null;

  @Field(() => String, { nullable: true, description: 'At most the first 2 KB of the response body.' })
  responseExcerpt!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the attempt failed: timeout, connection refused, refused address, non-2xx status…' })
  error!: string | null;

  @Field(() => WebhookAttemptOutcomeEnum)
  outcome!: WebhookAttemptOutcomeEnum;
}

@ObjectType('WebhookDelivery', { implements: NodeInterface, description: 'One event to one endpoint: delivered at least once, every attempt logged.' })
export class WebhookDeliveryType {
  @Field(() => ID, { description: 'Public id `del_…`, fetchable with `node(id)`.' })
  id!: string;

  @Field(() => ID, { description: 'The `we_…` endpoint it goes to.' })
  endpointId!: string;

  @Field(() => ID, { description: 'The `evt_…` event; also the `webhook-id` header of every attempt.' })
  eventId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => GraphQLSafeInt, { description: 'The event’s sequence in the workspace.' })
  eventSequence!: number;

  @Field(() => WebhookDeliveryStatusEnum)
  status!: WebhookDeliveryStatusEnum;

  @Field(() => Int)
  attemptCount!: number;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due; null once SUCCEEDED or FAILED.' })
  nextAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the latest attempt.' })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the latest attempt failed, or `endpoint deleted`.' })
  lastError!: string | null;

  @Field(() => Date)
  createdAt!: Date;
}

@InputType('WebhookDeliveryFilter')
export class WebhookDeliveryFilterInput {
  @Field(() => WebhookDeliveryStatusEnum, { nullable: true, description: 'Only deliveries in this status.' })
  status?: WebhookDeliveryStatusEnum | null;
}

export const WebhookDeliveryConnection = connectionType('WebhookDelivery', WebhookDeliveryType);

export function toWebhookDeliveryType(delivery: WebhookDelivery | WebhookDeliveryRow): WebhookDeliveryType {
  return {
    id: delivery.id,
    endpointId: idOf(delivery.endpoint)!,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    eventSequence: Number(delivery.eventSequence),
    status: delivery.status as DeliveryStatus as WebhookDeliveryStatusEnum,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: delivery.nextAttemptAt,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt,
  };
}

export function toWebhookAttemptType(attempt: WebhookAttempt): WebhookAttemptType {
  const { id, attemptNumber, startedAt, durationMs, statusCode, responseExcerpt, error } = attempt;
  return { id, deliveryId: idOf(attempt.delivery)!, attemptNumber, startedAt, durationMs, statusCode, responseExcerpt, error, outcome: attempt.outcome as AttemptOutcome as WebhookAttemptOutcomeEnum };
}
