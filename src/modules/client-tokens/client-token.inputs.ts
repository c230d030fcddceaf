import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { EventFilterInput } from '../events/event.filter';

@InputType('ClientTokenCreateInput', { description: 'A short-lived token for a browser. It changes nothing on the server, so it takes no idempotency key: retrying mints another.' })
export class ClientTokenCreateInput {
  @Field(() => [String], {
    description: 'At most the minting key’s scopes; never keys:*, webhooks:*, audit:read, tokens:write or admin. A bound token (conversationId, customerId or filter) may hold only conversations:read, customers:read and events:read.',
  })
  scopes!: string[];

  @Field(() => ID, { nullable: true, description: 'Binds the token to this conversation: it sees that conversation, its events and its customer, and nothing else.' })
  conversationId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Binds the token to this customer: it sees the customer, their conversations and their events, and nothing else.' })
  customerId?: string | null;

  @Field(() => EventFilterInput, {
    nullable: true,
    description: 'Binds the token to the conversations meeting these conditions (channels, inboxes, teamIds, assigneeIds, conversationIds, customerIds), for queries and events alike. types and occurred* are refused: subscribers choose those.',
  })
  filter?: EventFilterInput | null;

  @Field(() => Int, { nullable: true, description: 'Seconds, 60..86400 (24 h); 3600 when absent.' })
  expiresInSeconds?: number | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Browser origins (`https://app.example.com`) the token may be used from, at most 20; a request carrying another `Origin` is refused 403. Absent: any origin CORS_ORIGINS allows.',
  })
  allowedOrigins?: string[] | null;
}

@ObjectType('ClientTokenCreatePayload')
export class ClientTokenCreatePayload {
  @Field(() => String, { description: '`sgwct_…`: send it as `Authorization: Bearer <token>` or in graphql-ws `connection_init`. Shown once; not stored.' })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => [String], { description: 'The scopes it holds.' })
  scopes!: string[];
}
