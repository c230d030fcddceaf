import { Field, ID, Int, ObjectType } from 'type-graphql';
import { WebhookDeliveryType } from './webhook-delivery.type';
import { WebhookEndpointType } from './webhook-endpoint.type';

/**
 * A payload that reveals a signing secret. It carries the secret sealed: the idempotency record
 * stores the payload as returned, and a replay must reveal the same secret without the database
 * ever holding it in plain form. `secret` is opened by WebhookSecretRevealResolver.
 */
export interface SecretRevealingPayload {
  readonly webhookEndpoint: WebhookEndpointType;
  readonly sealedSecret: string;
}

@ObjectType('WebhookEndpointCreatePayload')
export class WebhookEndpointCreatePayload implements SecretRevealingPayload {
  @Field(() => WebhookEndpointType)
  webhookEndpoint!: WebhookEndpointType;

  sealedSecret!: string;
}

@ObjectType('WebhookEndpointRotateSecretPayload')
export class WebhookEndpointRotateSecretPayload implements SecretRevealingPayload {
  @Field(() => WebhookEndpointType)
  webhookEndpoint!: WebhookEndpointType;

  sealedSecret!: string;
}

@ObjectType('WebhookEndpointUpdatePayload')
export class WebhookEndpointUpdatePayload {
  @Field(() => WebhookEndpointType)
  webhookEndpoint!: WebhookEndpointType;
}

@ObjectType('WebhookEndpointDeletePayload')
export class WebhookEndpointDeletePayload {
  @Field(() => ID)
  deletedWebhookEndpointId!: string;
}

@ObjectType('WebhookEndpointTestPayload')
export class WebhookEndpointTestPayload {
  @Field(() => WebhookDeliveryType, { description: 'The queued delivery of a `webhook.test` event; poll it to see the attempt.' })
  delivery!: WebhookDeliveryType;
}

@ObjectType('WebhookDeliveryRetryPayload')
export class WebhookDeliveryRetryPayload {
  @Field(() => WebhookDeliveryType)
  delivery!: WebhookDeliveryType;
}

@ObjectType('WebhookEventsReplayPayload')
export class WebhookEventsReplayPayload {
  @Field(() => Int, { description: 'Deliveries created; events that already had a delivery to the endpoint are skipped.' })
  queuedCount!: number;

  @Field(() => Boolean, { description: 'True when the limit was reached: call again with the same range (and a new idempotency key) to queue the rest.' })
  hasMoreEvents!: boolean;
}
