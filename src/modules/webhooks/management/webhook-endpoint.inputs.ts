import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { ExpectedVersionField } from '../../../policies/concurrency/expected-version';
import { EventFilterInput } from '../../events';
import type { EndpointSettings } from './webhook-endpoint.rules';
import { maxCustomHeaders, maxHeaderValueLength, maxRateLimitPerSecond, maxRetries, maxRetryDelaySeconds } from './webhook-endpoint-shape';
import { maxPayloadQueryLength } from '../payload/payload-selection';
import { maxDescriptionLength, maxEndpointsPerWorkspace, maxPreviousSecretSeconds, maxReplayedEvents } from './webhook-endpoint.rules';
import { IdempotencyKeyField } from '../../../policies/idempotency/idempotency-key-field';

const urlDescription =
  'https, on port 443, 80 or 1024–65535, to a public host: loopback, private, link-local and metadata addresses, local names and embedded credentials are refused.';

export enum WebhookHttpMethodEnum {
  POST = 'POST',
  PUT = 'PUT',
}
registerEnumType(WebhookHttpMethodEnum, { name: 'WebhookHttpMethod', description: 'How deliveries are sent; the body and signature are the same either way.' });

@InputType('WebhookHeaderInput')
export class WebhookHeaderInput {
  @Field(() => String, { description: 'A header name such as Authorization; not one the gateway sets (webhook-*, content-*, host, user-agent, connection…).' })
  name!: string;

  @Field(() => String, { description: `1 to ${maxHeaderValueLength} characters. Stored encrypted, shown masked, never logged.` })
  value!: string;
}

const descriptions = {
  payloadQuery:
    `A GraphQL selection on Event whose result is the body instead of the event envelope, e.g. { id type conversation { id status customer { email } } }. ` +
    `Checked now against the schema, the query limits and this key's scopes; at most ${maxPayloadQueryLength} characters.`,
  filter: 'Only events about conversations that match, as in the events subscription; types come from eventTypes and times do not apply.',
  headers: `At most ${maxCustomHeaders} custom headers sent with every delivery, e.g. the receiver's own Authorization.`,
  rateLimitPerSecond: `At most this many deliveries started per second, 1..${maxRateLimitPerSecond}, across instances; absent for no limit.`,
  retrySchedule: `Seconds to wait before each retry (at most ${maxRetries}, each 1..${maxRetryDelaySeconds}), overriding the instance's schedule; attempts are 1 + its length.`,
};

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

  @Field(() => String, { nullable: true, description: descriptions.payloadQuery })
  payloadQuery?: string | null;

  @Field(() => EventFilterInput, { nullable: true, description: descriptions.filter })
  filter?: EventFilterInput | null;

  @Field(() => [WebhookHeaderInput], { nullable: true, description: descriptions.headers })
  headers?: WebhookHeaderInput[] | null;

  @Field(() => WebhookHttpMethodEnum, { defaultValue: WebhookHttpMethodEnum.POST })
  method!: WebhookHttpMethodEnum;

  @Field(() => Int, { nullable: true, description: descriptions.rateLimitPerSecond })
  rateLimitPerSecond?: number | null;

  @Field(() => [Int], { nullable: true, description: descriptions.retrySchedule })
  retrySchedule?: number[] | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('WebhookEndpointUpdateInput', { description: 'Absent fields stay as they are.' })
export class WebhookEndpointUpdateInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true, description: urlDescription })
  url?: string | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the event types; an explicit null delivers every type.' })
  eventTypes?: string[] | null;

  @Field(() => String, { nullable: true, description: 'An empty string removes the description.' })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true re-enables a disabled endpoint and clears disabledReason and failingSince.' })
  isEnabled?: boolean | null;

  @Field(() => String, { nullable: true, description: `${descriptions.payloadQuery} An explicit null sends the envelope again.` })
  payloadQuery?: string | null;

  @Field(() => EventFilterInput, { nullable: true, description: `${descriptions.filter} An explicit null removes the filter.` })
  filter?: EventFilterInput | null;

  @Field(() => [WebhookHeaderInput], { nullable: true, description: `${descriptions.headers} Replaces them all; null or [] removes them.` })
  headers?: WebhookHeaderInput[] | null;

  @Field(() => WebhookHttpMethodEnum, { nullable: true })
  method?: WebhookHttpMethodEnum | null;

  @Field(() => Int, { nullable: true, description: `${descriptions.rateLimitPerSecond} An explicit null removes the limit.` })
  rateLimitPerSecond?: number | null;

  @Field(() => [Int], { nullable: true, description: `${descriptions.retrySchedule} An explicit null returns to the instance's schedule.` })
  retrySchedule?: number[] | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('WebhookEndpointDeleteInput')
export class WebhookEndpointDeleteInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('WebhookEndpointRotateSecretInput')
export class WebhookEndpointRotateSecretInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

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

/**
 * GraphQL null means "no change" for the required settings; for the optional ones (eventTypes,
 * payloadQuery, filter, headers, rateLimitPerSecond, retrySchedule) an explicit null removes them.
 */
export function toEndpointChanges(input: WebhookEndpointUpdateInput): EndpointSettings {
  return {
    url: input.url ?? undefined,
    eventTypes: input.eventTypes,
    description: input.description ?? undefined,
    isEnabled: input.isEnabled ?? undefined,
    payloadQuery: input.payloadQuery,
    filter: input.filter,
    headers: input.headers,
    method: input.method ?? undefined,
    rateLimitPerSecond: input.rateLimitPerSecond,
    retryScheduleSeconds: input.retrySchedule,
  };
}

export function toEndpointCreation(input: WebhookEndpointCreateInput) {
  return {
    url: input.url,
    eventTypes: input.eventTypes ?? null,
    description: input.description ?? undefined,
    isEnabled: input.isEnabled,
    payloadQuery: input.payloadQuery ?? null,
    filter: input.filter ?? null,
    headers: input.headers ?? null,
    method: input.method,
    rateLimitPerSecond: input.rateLimitPerSecond ?? null,
    retryScheduleSeconds: input.retrySchedule ?? null,
  };
}
