import { Field, ID, ObjectType } from 'type-graphql';
import { connectionType } from '../../../platform/pagination';
import type { WebhookEndpoint } from '../webhook.entities';
import { maxDescriptionLength } from './webhook-endpoint.rules';

@ObjectType('WebhookEndpoint', {
  description: 'Where the workspace’s events are POSTed, signed per Standard Webhooks. Its signing secret is shown once, at creation or rotation, and never again.',
})
export class WebhookEndpointType {
  @Field(() => ID, { description: 'Public id `we_…`.' })
  id!: string;

  @Field(() => String, { description: 'The https URL events are POSTed to, as normalised at registration.' })
  url!: string;

  @Field(() => String, { nullable: true, description: `Free text for people, at most ${maxDescriptionLength} characters.` })
  description!: string | null;

  @Field(() => [String], { nullable: true, description: 'Event types delivered; null delivers every type, including types added later.' })
  eventTypes!: string[] | null;

  @Field(() => Boolean, { description: 'False while disabled, by a caller or after failing continuously; nothing is delivered meanwhile.' })
  isEnabled!: boolean;

  @Field(() => String, { nullable: true, description: 'Why the endpoint was disabled; null while enabled.' })
  disabledReason!: string | null;

  @Field(() => Date, { nullable: true, description: 'Start of the current run of failed attempts; null after any success.' })
  failingSince!: Date | null;

  @Field(() => Date, { nullable: true, description: 'After a secret rotation, until when deliveries are also signed with the previous secret.' })
  previousSecretExpiresAt!: Date | null;

  @Field(() => String, { description: 'The `key_…` id that created the endpoint.' })
  createdBy!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { description: 'Last change of URL, event types, description, state or secret.' })
  updatedAt!: Date;
}

export const WebhookEndpointConnection = connectionType('WebhookEndpoint', WebhookEndpointType);

export function toWebhookEndpointType(endpoint: WebhookEndpoint, now = new Date()): WebhookEndpointType {
  const isPreviousLive = endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now;
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    isEnabled: endpoint.isEnabled,
    disabledReason: endpoint.disabledReason,
    failingSince: endpoint.failingSince,
    previousSecretExpiresAt: isPreviousLive ? endpoint.previousSecretExpiresAt : null,
    createdBy: endpoint.createdBy,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}
