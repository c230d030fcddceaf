import { Field, ID, InputType } from 'type-graphql';
import { ExpectedVersionField } from '../../policies/concurrency/expected-version';
import { GraphQLJSONObject } from 'graphql-scalars';
import { limits } from '../../platform/validation';
import { Cost, defaultMutationWeight } from '../../policies/cost/cost-directives';
import { maxExternalIdLength, maxNameLength, maxNoteLength, type CustomerChanges, type CustomerUpsert } from './customer.rules';
import { IdempotencyKeyField } from '../../policies/idempotency/idempotency-key-field';

const nullClears = 'Absent leaves it as it is; null clears it.';
const tagsDescription = `At most ${limits.maxTags} tags of 1..${limits.maxTagLength} letters, digits, spaces or _:./-`;
const attributesDescription = `Merged into the stored attributes (top-level keys); a null value removes that key. The result is at most ${limits.maxMetadataBytes / 1024} KB of JSON.`;

@InputType('CustomerExternalIdInput', { description: 'An id of the customer in another system.' })
export class CustomerExternalIdInput {
  @Field(() => String, { description: '1..50 letters, digits or _.:-, case-sensitive, e.g. `salesforce`.' })
  system!: string;

  @Field(() => String, { description: `1..${maxExternalIdLength} characters; unique per system in the workspace.` })
  externalId!: string;
}

const upsertDescription = 'Matched by externalId, else by email (case-insensitive), else created. Give at least one of the two. Absent fields stay as they are.';

@InputType('CustomerUpsertOperation', { description: `One customer of customersBatchUpsert. ${upsertDescription}` })
export class CustomerUpsertOperationInput {
  @Field(() => CustomerExternalIdInput, { nullable: true, description: 'Matched first; linked to the customer matched by email when not linked yet.' })
  externalId?: CustomerExternalIdInput | null;

  @Field(() => String, { nullable: true, description: `Matched when externalId is absent or unknown. ${nullClears}` })
  email?: string | null;

  @Field(() => String, { nullable: true, description: `1..${maxNameLength} characters. ${nullClears}` })
  name?: string | null;

  @Field(() => String, { nullable: true, description: `E.164, e.g. +14155550123. ${nullClears}` })
  phone?: string | null;

  @Field(() => String, { nullable: true, description: `BCP 47 language tag, e.g. en or pt-BR; stored in canonical case. ${nullClears}` })
  locale?: string | null;

  @Field(() => [String], { nullable: true, description: `Replaces the tags. ${tagsDescription}` })
  tags?: string[] | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: attributesDescription })
  customAttributes?: Record<string, unknown> | null;
}

@InputType('CustomerUpsertInput', { description: upsertDescription })
export class CustomerUpsertInput extends CustomerUpsertOperationInput {
  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('CustomersBatchUpsertInput')
export class CustomersBatchUpsertInput {
  @Field(() => [CustomerUpsertOperationInput], { description: '1..100 customers, upserted in order, each on its own. Each costs 10 points, as a mutation does.' })
  @Cost(defaultMutationWeight)
  operations!: CustomerUpsertOperationInput[];

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('CustomerUpdateInput', { description: 'Absent fields stay as they are.' })
export class CustomerUpdateInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true, description: `1..${maxNameLength} characters. ${nullClears}` })
  name?: string | null;

  @Field(() => String, { nullable: true, description: `Unique per workspace, case-insensitively: CONFLICT when another customer has it. ${nullClears}` })
  email?: string | null;

  @Field(() => String, { nullable: true, description: `E.164, e.g. +14155550123. ${nullClears}` })
  phone?: string | null;

  @Field(() => String, { nullable: true, description: `BCP 47 language tag, e.g. en or pt-BR. ${nullClears}` })
  locale?: string | null;

  @Field(() => [String], { nullable: true, description: `Replaces the tags; not with tagsAdd/tagsRemove. ${tagsDescription}` })
  tags?: string[] | null;

  @Field(() => [String], { nullable: true, description: `Added unless present; the result holds at most ${limits.maxTags} tags.` })
  tagsAdd?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Removed when present (after tagsAdd).' })
  tagsRemove?: string[] | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: attributesDescription })
  customAttributes?: Record<string, unknown> | null;

  @Field(() => [CustomerExternalIdInput], {
    nullable: true,
    description: `Linked to the customer, at most ${limits.maxExternalRefs}. CONFLICT when another customer holds one, or this one has another id in that system.`,
  })
  externalIdsAdd?: CustomerExternalIdInput[] | null;

  @Field(() => [String], { nullable: true, description: 'Systems whose id is unlinked (before externalIdsAdd, so both together replace an id).' })
  externalIdsRemove?: string[] | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('CustomerNoteCreateInput')
export class CustomerNoteCreateInput {
  @Field(() => ID)
  customerId!: string;

  @Field(() => String, { description: `1..${maxNoteLength} characters. Internal: never shown to the customer.` })
  body!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

/** GraphQL null clears name, email, phone and locale; for lists and attributes it means "no change". */
export function toCustomerUpsert(input: CustomerUpsertOperationInput): CustomerUpsert {
  return {
    externalId: input.externalId ?? undefined,
    email: input.email,
    name: input.name,
    phone: input.phone,
    locale: input.locale,
    tags: input.tags ?? undefined,
    customAttributes: input.customAttributes ?? undefined,
  };
}

export function toCustomerChanges(input: CustomerUpdateInput): CustomerChanges {
  return {
    name: input.name,
    email: input.email,
    phone: input.phone,
    locale: input.locale,
    tags: input.tags ?? undefined,
    tagsAdd: input.tagsAdd ?? undefined,
    tagsRemove: input.tagsRemove ?? undefined,
    customAttributes: input.customAttributes ?? undefined,
    externalIdsAdd: input.externalIdsAdd ?? undefined,
    externalIdsRemove: input.externalIdsRemove ?? undefined,
  };
}
