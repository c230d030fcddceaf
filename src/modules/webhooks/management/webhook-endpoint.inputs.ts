import { Field, ID, InputType, Int } from 'type-graphql';
import type { EndpointSettings } from './webhook-endpoint.rules';
import { maxDescriptionLength, maxEndpointsPerWorkspace, maxPreviousSecretSeconds, maxReplayedEvents } from './webhook-endpoint.rules';
import { IdempotencyKeyField } from '../../../policies/idempotency/idempotency-key-field';

const urlDescription =
  'https, on port 443, 80 or 1024–65535, to a public host: loopback, private, link-local and metadata addresses, local names and embedded credentials are refused.';

@InputType('WebhookEndpointCreateInput', { description: `A workspace has at most ${maxEndpointsPerWorkspace} endpoints.` })
export class WebhookEndpointCreateInput {
  @Field(() => String, { description: urlDescription })
  url!: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Event types to deliver (docs/events.md); absent or null for every type. The calling key must hold each type’s required scope.',
  })
  eventTypes?: string[] | null;

  @Field(() => String, { nullable: true, description: `At most ${maxDescriptionLength} characters.` })
  description?: string | null;

  @Field(() => Boolean, { defaultValue: true })
  isEnabled!: boolean;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('WebhookEndpointUpdateInput', { description: 'Absent fields stay as they are.' })
export class WebhookEndpointUpdateInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: urlDescription })
  url?: string | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the event types; an explicit null delivers every type.' })
  eventTypes?: string[] | null;

  @Field(() => String, { nullable: true, description: 'An empty string removes the description.' })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true re-enables a disabled endpoint and clears disabledReason and failingSince.' })
  isEnabled?: boolean | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('WebhookEndpointDeleteInput')
export class WebhookEndpointDeleteInput {
  @Field(() => ID)
  id!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('WebhookEndpointRotateSecretInput')
export class WebhookEndpointRotateSecretInput {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, {
    defaultValue: 86_400,
    description: `How long deliveries are also signed with the replaced secret, 0..${maxPreviousSecretSeconds} seconds (7 days).`,
  })
  previousSecretExpiresInSeconds!: number;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('WebhookEndpointTestInput')
export class WebhookEndpointTestInput {
  @Field(() => ID)
  id!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('WebhookDeliveryRetryInput')
export class WebhookDeliveryRetryInput {
  @Field(() => ID)
  deliveryId!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('WebhookEventsReplayInput', { description: `Queues at most ${maxReplayedEvents} events per call, oldest first.` })
export class WebhookEventsReplayInput {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => Date, { description: 'Events that occurred at or after this instant. Events are kept 30 days.' })
  since!: Date;

  @Field(() => Date, { nullable: true, description: 'Events that occurred before this instant (exclusive); absent for up to now.' })
  until?: Date | null;

  @Field(() => [String], { nullable: true, description: 'Only these of the endpoint’s event types; absent for all of them.' })
  eventTypes?: string[] | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

/** GraphQL null means "no change", except for eventTypes, where an explicit null means every type. */
export function toEndpointChanges(input: WebhookEndpointUpdateInput): EndpointSettings {
  return {
    url: input.url ?? undefined,
    eventTypes: input.eventTypes,
    description: input.description ?? undefined,
    isEnabled: input.isEnabled ?? undefined,
  };
}
