import { NodeInterface } from '../../platform/node';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { connectionType } from '../../platform/pagination';
import { limits } from '../../platform/validation';
import { idOf } from '../../platform/database/plain-rows';
import type { Customer, CustomerNote, CustomerNoteRow, CustomerRow } from './customer.entity';
import { Cost } from '../../policies/cost/cost-directives';

@Cost(0)
@ObjectType('CustomerExternalId', { description: 'The customer in another system (CRM, helpdesk, billing).' })
export class CustomerExternalIdType {
  @Field(() => String, { description: 'e.g. `salesforce`, `hubspot`, `stripe`; case-sensitive.' })
  system!: string;

  @Field(() => String, { description: 'Unique per system in the workspace.' })
  externalId!: string;
}

@ObjectType('Customer', {
  implements: NodeInterface,
  description: 'A person who contacts support. Unique in the workspace by email (case-insensitively) and by each external id.',
})
export class CustomerType {
  @Field(() => ID, { description: 'Global id `cus_…`.' })
  id!: string;

  @Field(() => Int, { description: 'Raised by one with every change; pass it as expectedVersion to change only what you read (CONFLICT otherwise).' })
  version!: number;

  @Field(() => String, { nullable: true, description: 'Display name, 1..255 characters.' })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'As last given; matched case-insensitively.' })
  email!: string | null;

  @Field(() => String, { nullable: true, description: 'E.164, e.g. +14155550123.' })
  phone!: string | null;

  @Field(() => String, { nullable: true, description: 'BCP 47 language tag in canonical case, e.g. `pt-BR`.' })
  locale!: string | null;

  @Field(() => [String], { description: `At most ${limits.maxTags} tags, in the order they were added.` })
  tags!: string[];

  @Field(() => GraphQLJSONObject, { description: `Free-form attributes, e.g. synced from a CRM; at most ${limits.maxMetadataBytes / 1024} KB of JSON.` })
  customAttributes!: Record<string, unknown>;

  @Field(() => [CustomerExternalIdType], { description: 'At most one id per system, sorted by system.' })
  externalIds!: CustomerExternalIdType[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { description: 'Last change by customerUpsert or customerUpdate; adding a note does not count.' })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Set only on tombstones, which `customers(includeDeleted: true)` lists: the customer was deleted or merged then. A tombstone keeps only its id and createdAt.' })
  deletedAt!: Date | null;

  @Field(() => ID, { nullable: true, description: 'On the tombstone of a merged customer: the customer it was merged into (customerMerge).' })
  mergedIntoId!: string | null;
}

@ObjectType('CustomerNote', { description: 'An internal note about a customer, never shown to them.' })
export class CustomerNoteType {
  @Field(() => ID, { description: 'Global id `cnote_…`.' })
  id!: string;

  @Field(() => ID)
  customerId!: string;

  @Field(() => String, { description: 'The `key_…` that wrote it.' })
  author!: string;

  @Field(() => String, { description: 'Up to 10000 characters.' })
  body!: string;

  @Field(() => Date)
  createdAt!: Date;
}

export const CustomerConnection = connectionType('Customer', CustomerType);
export const CustomerNoteConnection = connectionType('CustomerNote', CustomerNoteType);

export function toCustomerType(customer: Customer | CustomerRow): CustomerType {
  const { id, version, name, email, phone, locale, tags, customAttributes, createdAt, updatedAt } = customer;
  const externalIds = Object.entries(customer.externalIds)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([system, externalId]) => ({ system, externalId }));
  const tombstone = customer as { deletedAt?: Date; mergedIntoId?: string | null };
  return { id, version, name, email, phone, locale, tags, customAttributes, externalIds, createdAt, updatedAt, deletedAt: tombstone.deletedAt ?? null, mergedIntoId: tombstone.mergedIntoId ?? null };
}

export function toCustomerNoteType(note: CustomerNote | CustomerNoteRow): CustomerNoteType {
  return { id: note.id, customerId: idOf(note.customer)!, author: note.author, body: note.body, createdAt: note.createdAt };
}
