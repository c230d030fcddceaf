import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { ExpectedVersionField } from '../../policies/concurrency/expected-version';
import { actorFromPrincipal } from '../../policies/auth/actor';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import { Idempotent } from '../../policies/idempotency/idempotent.middleware';
import type { RequestContext } from '../../policies/request-context';
import type { CustomerRemovalService } from './customer-removal.service';
import { CustomerType, toCustomerType } from './customer.type';
import { IdempotencyKeyField } from '../../policies/idempotency/idempotency-key-field';


@InputType('CustomerDeleteInput')
export class CustomerDeleteInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('CustomerEraseInput')
export class CustomerEraseInput {
  @Field(() => ID)
  id!: string;

  @Field(() => Boolean, { defaultValue: false, description: 'Also blank the text and attachments of the messages the customer wrote. Without it their messages keep their text, with no one named as author.' })
  blankMessages!: boolean;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('CustomerMergeInput')
export class CustomerMergeInput {
  @Field(() => ID, { description: 'The duplicate: removed, leaving a tombstone with mergedIntoId.' })
  sourceId!: string;

  @Field(() => ID, { description: 'The customer that stays.' })
  targetId!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@ObjectType('CustomerDeletePayload')
export class CustomerDeletePayload {
  @Field(() => ID)
  deletedCustomerId!: string;

  @Field(() => Date)
  deletedAt!: Date;
}

@ObjectType('CustomerErasePayload')
export class CustomerErasePayload {
  @Field(() => CustomerType, { description: 'The customer as it is now: id, dates and nothing personal.' })
  customer!: CustomerType;
}

@ObjectType('CustomerMergePayload')
export class CustomerMergePayload {
  @Field(() => CustomerType, { description: 'The target, with what it took from the source.' })
  customer!: CustomerType;

  @Field(() => ID)
  mergedCustomerId!: string;
}

/** customerDelete, customerErase and customerMerge (docs/deletion.md). */
@Resolver()
export class CustomerRemovalResolver {
  constructor(private readonly service: CustomerRemovalService) {}

  @Mutation(() => CustomerDeletePayload, { nullable: true, description: 'Deletes a customer with their notes and external ids; their conversations stay, with no customer. `customer.deleted`; a tombstone stays for syncs.' })
  @RequiresScopes(['customers:write'])
  @Idempotent()
  async customerDelete(@Arg('input', () => CustomerDeleteInput) input: CustomerDeleteInput, @Ctx() context: RequestContext): Promise<CustomerDeletePayload> {
    return this.service.delete(context.em, actorFromPrincipal(context.principal, context.requestId), input.id, input.expectedVersion);
  }

  @Mutation(() => CustomerErasePayload, { nullable: true, description: 'Erases a customer’s personal data everywhere the gateway holds it (GDPR); the record stays, anonymous. `customer.erased`, with no personal data.' })
  @RequiresScopes(['customers:write'])
  @Idempotent()
  async customerErase(@Arg('input', () => CustomerEraseInput) input: CustomerEraseInput, @Ctx() context: RequestContext): Promise<CustomerErasePayload> {
    return { customer: toCustomerType(await this.service.erase(context.em, actorFromPrincipal(context.principal, context.requestId), input.id, input.blankMessages)) };
  }

  @Mutation(() => CustomerMergePayload, { nullable: true, description: 'Merges a duplicate customer into another: conversations, notes, ratings, external ids and tags move to the target. `customer.merged`.' })
  @RequiresScopes(['customers:write'])
  @Idempotent()
  async customerMerge(@Arg('input', () => CustomerMergeInput) input: CustomerMergeInput, @Ctx() context: RequestContext): Promise<CustomerMergePayload> {
    const target = await this.service.merge(context.em, actorFromPrincipal(context.principal, context.requestId), input.sourceId, input.targetId);
    return { customer: toCustomerType(target), mergedCustomerId: input.sourceId };
  }
}
