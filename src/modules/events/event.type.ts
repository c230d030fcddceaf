import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSONObject, GraphQLSafeInt } from 'graphql-scalars';
import { connectionType } from '../../platform/pagination';
import type { EventRecord } from './event.entity';
import type { EventEnvelope } from './event-recorder';

@ObjectType('Event', { description: 'One entry of the event log: the webhook body and the subscription payload alike.' })
export class EventType {
  @Field(() => ID, { description: '`evt_…`; also the `webhook-id` of its deliveries.' })
  id!: string;

  @Field(() => String, { description: 'e.g. `conversation.created`; see docs/events.md.' })
  type!: string;

  @Field(() => Date)
  occurredAt!: Date;

  @Field(() => GraphQLSafeInt, { description: 'Gap-free and increasing per workspace, in commit order: resume after the last one you saw.' })
  sequence!: number;

  @Field(() => GraphQLJSONObject)
  data!: Record<string, unknown>;
}

export const EventConnection = connectionType('Event', EventType);

export const toEventType = (event: EventRecord): EventType => ({
  id: event.id,
  type: event.type,
  occurredAt: event.occurredAt,
  sequence: Number(event.sequence),
  data: event.data,
});

export const envelopeToEventType = (event: EventEnvelope): EventType => ({ ...event, occurredAt: new Date(event.occurredAt) });
