import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { IdempotencyKeyField } from '../../../policies/idempotency/idempotency-key-field';
import { WebhookDeliveryType } from '../management/webhook-delivery.type';
import { WebhookRecoveryType } from './webhook-recovery.type';

@InputType('WebhookEventResendInput')
export class WebhookEventResendInput {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => ID, { description: 'Any `evt_…` of the event log (kept 30 days) of a type the endpoint receives.' })
  eventId!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@ObjectType('WebhookEventResendPayload')
export class WebhookEventResendPayload {
  @Field(() => WebhookDeliveryType, { description: 'The endpoint’s delivery of the event, due now.' })
  delivery!: WebhookDeliveryType;
}

@InputType('WebhookEndpointRecoverInput')
export class WebhookEndpointRecoverInput {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => Date, { description: 'FAILED deliveries created at or after this instant.' })
  since!: Date;

  @Field(() => Date, { nullable: true, description: 'And before this instant (exclusive); absent for up to now.' })
  until?: Date | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@ObjectType('WebhookEndpointRecoverPayload')
export class WebhookEndpointRecoverPayload {
  @Field(() => WebhookRecoveryType, { description: 'The job; follow it with node(id) or WebhookEndpoint.recoveries.' })
  recovery!: WebhookRecoveryType;
}
