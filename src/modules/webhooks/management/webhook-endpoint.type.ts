import { Field, ID, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../../../platform/pagination';
import { NodeInterface } from '../../../platform/node';
import { ChannelEnum } from '../../conversations/conversation.enums';
import type { EndpointFilter, WebhookEndpoint } from '../webhook.entities';
import { maxDescriptionLength } from './webhook-endpoint.rules';
import { WebhookHttpMethodEnum } from './webhook-endpoint.inputs';
import { maxCustomHeaders } from './webhook-endpoint-shape';
import { ListSize } from '../../../policies/cost/cost-directives';

@ObjectType('WebhookHeader', { description: 'A custom header as stored: its value is never shown again.' })
export class WebhookHeaderType {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: '`••••` and, for values of 16 characters or more, their last four.' })
  maskedValue!: string;
}

@ObjectType('WebhookEndpointFilter', { description: 'The EventFilter conditions an endpoint applies at fan-out; null lists are no condition.' })
export class WebhookEndpointFilterType {
  @Field(() => [ChannelEnum], { nullable: true })
  channels!: ChannelEnum[] | null;

  @Field(() => [String], { nullable: true })
  inboxes!: string[] | null;

  @Field(() => [ID], { nullable: true })
  teamIds!: string[] | null;

  @Field(() => [ID], { nullable: true })
  assigneeIds!: string[] | null;

  @Field(() => [ID], { nullable: true })
  conversationIds!: string[] | null;

  @Field(() => [ID], { nullable: true })
  customerIds!: string[] | null;
}

@ObjectType('WebhookEndpoint', {
  implements: NodeInterface,
  description: 'Where the workspace’s events are POSTed, signed per Standard Webhooks. Its signing secret is shown once, at creation or rotation, and never again.',
})
export class WebhookEndpointType {
  @Field(() => ID, { description: 'Public id `we_…`, fetchable with `node(id)`.' })
  id!: string;

  @Field(() => Int, { description: 'Raised by one with every change of a setting; send it back as expectedVersion to update only what you read.' })
  version!: number;

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

  @Field(() => String, { nullable: true, description: 'The selection on Event whose result is each body; null for the event envelope.' })
  payloadQuery!: string | null;

  @Field(() => WebhookEndpointFilterType, { nullable: true, description: 'Only events about matching conversations are delivered; null for all.' })
  filter!: WebhookEndpointFilterType | null;

  @Field(() => [WebhookHeaderType], { description: 'Custom headers sent with every delivery, masked.' })
  @ListSize({ assumedSize: maxCustomHeaders })
  headers!: WebhookHeaderType[];

  @Field(() => WebhookHttpMethodEnum)
  method!: WebhookHttpMethodEnum;

  @Field(() => Int, { nullable: true, description: 'Deliveries started per second at most; null for no limit.' })
  rateLimitPerSecond!: number | null;

  @Field(() => [Int], { nullable: true, description: 'Seconds before each retry; null for the instance’s schedule.' })
  retrySchedule!: number[] | null;

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
    version: endpoint.version,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    isEnabled: endpoint.isEnabled,
    disabledReason: endpoint.disabledReason,
    failingSince: endpoint.failingSince,
    previousSecretExpiresAt: isPreviousLive ? endpoint.previousSecretExpiresAt : null,
    payloadQuery: endpoint.payloadQuery,
    filter: endpoint.filter && toFilterType(endpoint.filter),
    headers: endpoint.headerPreviews ?? [],
    method: endpoint.httpMethod as WebhookHttpMethodEnum,
    rateLimitPerSecond: endpoint.rateLimitPerSecond,
    retrySchedule: endpoint.retryScheduleMs?.slice(1).map((delayMs) => delayMs / 1000) ?? null,
    createdBy: endpoint.createdBy,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

function toFilterType(filter: EndpointFilter): WebhookEndpointFilterType {
  const list = <T>(values: readonly string[] | undefined) => (values ? ([...values] as T[]) : null);
  return {
    channels: list<ChannelEnum>(filter.channels),
    inboxes: list(filter.inboxes),
    teamIds: list(filter.teamIds),
    assigneeIds: list(filter.assigneeIds),
    conversationIds: list(filter.conversationIds),
    customerIds: list(filter.customerIds),
  };
}
