import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { actorFromPrincipal } from '../../policies/auth/actor';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import { Idempotent } from '../../policies/idempotency/idempotent.middleware';
import type { RequestContext } from '../../policies/request-context';
import { PageArgs, toConnection } from '../../platform/pagination';
import { CustomerFilterInput, CustomerOrderInput } from './customer.filter';
import { Cost } from '../../policies/cost/cost-directives';
import { applyEach } from '../../policies/batch/batch-operations';
import { CustomerNoteCreateInput, CustomersBatchUpsertInput, CustomerUpdateInput, CustomerUpsertInput, toCustomerChanges, toCustomerUpsert } from './customer.inputs';
import { CustomerNoteCreatePayload, CustomersBatchUpsertPayload, CustomerUpdatePayload, CustomerUpsertPayload } from './customer.payloads';
import { customerNotePagesLoader } from './customer-note-pages.loaders';
import type { CustomerService } from './customer.service';
import { CustomerConnection, CustomerNoteConnection, CustomerType, toCustomerNoteType, toCustomerType } from './customer.type';

@Resolver(() => CustomerType)
export class CustomerResolver {
  private readonly notePages: ReturnType<typeof customerNotePagesLoader>;

  constructor(private readonly service: CustomerService) {
    this.notePages = customerNotePagesLoader(service);
  }

  @Query(() => CustomerConnection, { nullable: true, description: 'Customers of the workspace; newest first unless `orderBy` says otherwise.' })
  @RequiresScopes(['customers:read'])
  async customers(
    @Arg('filter', () => CustomerFilterInput, { nullable: true }) filter: CustomerFilterInput | null,
    @Arg('orderBy', () => CustomerOrderInput, { nullable: true }) orderBy: CustomerOrderInput | null,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('includeDeleted', () => Boolean, {
      defaultValue: false,
      description: 'Also list tombstones of customers deleted or merged since filter.updatedAfter (kept TOMBSTONE_RETENTION, 90 days), by deletion time among the others: `deletedAt` set, other filters not applied. Needs orderBy: {field: UPDATED_AT}. For incremental syncs.',
    })
    includeDeleted: boolean,
    @Ctx() { em, principal }: RequestContext,
  ) {
    return toConnection(await this.service.list(em, principal.workspaceId, filter, orderBy, page, principal.reach, includeDeleted), toCustomerType);
  }

  @Query(() => CustomerType, { nullable: true, description: 'One customer of the workspace; NOT_FOUND for any other id.' })
  @RequiresScopes(['customers:read'])
  async customer(@Arg('id', () => ID) id: string, @Ctx() { em, principal }: RequestContext): Promise<CustomerType> {
    return toCustomerType(await this.service.find(em, principal.workspaceId, id, principal.reach));
  }

  @FieldResolver(() => CustomerNoteConnection, { description: 'Internal notes about the customer, newest first.' })
  @RequiresScopes(['customers:read'])
  async notes(@Root() customer: CustomerType, @Args(() => PageArgs) page: PageArgs, @Ctx() { principal, loaders }: RequestContext) {
    return toConnection(await loaders.get(this.notePages).load(customer.id, { workspaceId: principal.workspaceId, page }), toCustomerNoteType);
  }

  @Mutation(() => CustomerUpsertPayload, {
    nullable: true,
    description: 'Creates or updates a customer from another system: matched by externalId, else by email, else created. Safe to run concurrently.',
  })
  @RequiresScopes(['customers:write'])
  @Idempotent()
  async customerUpsert(@Arg('input', () => CustomerUpsertInput) input: CustomerUpsertInput, @Ctx() context: RequestContext): Promise<CustomerUpsertPayload> {
    const actor = actorFromPrincipal(context.principal, context.requestId);
    const { customer, wasCreated } = await this.service.upsert(context.em, actor, toCustomerUpsert(input));
    return { customer: toCustomerType(customer), wasCreated };
  }

  @Mutation(() => CustomersBatchUpsertPayload, {
    nullable: true,
    description: 'Up to 100 customerUpserts, each applied or refused on its own, one event per change. Priced per operation (`operations` weighs 10 each), not per call.',
  })
  @RequiresScopes(['customers:write'])
  @Cost(0)
  @Idempotent()
  async customersBatchUpsert(@Arg('input', () => CustomersBatchUpsertInput) input: CustomersBatchUpsertInput, @Ctx() context: RequestContext): Promise<CustomersBatchUpsertPayload> {
    const actor = actorFromPrincipal(context.principal, context.requestId);
    const outcomes = await applyEach(context.em, input.operations, (tx, operation) => this.service.upsert(tx, actor, toCustomerUpsert(operation)));
    const results = outcomes.map(({ index, applied, error }) => ({ index, customer: applied && toCustomerType(applied.customer), wasCreated: applied?.wasCreated ?? null, error }));
    const appliedCount = results.filter((result) => result.error === null).length;
    return { results, appliedCount, failedCount: results.length - appliedCount };
  }

  @Mutation(() => CustomerUpdatePayload, { nullable: true })
  @RequiresScopes(['customers:write'])
  @Idempotent()
  async customerUpdate(@Arg('input', () => CustomerUpdateInput) input: CustomerUpdateInput, @Ctx() context: RequestContext): Promise<CustomerUpdatePayload> {
    const actor = actorFromPrincipal(context.principal, context.requestId);
    return { customer: toCustomerType(await this.service.update(context.em, actor, input.id, toCustomerChanges(input), input.expectedVersion)) };
  }

  @Mutation(() => CustomerNoteCreatePayload, { nullable: true })
  @RequiresScopes(['customers:write'])
  @Idempotent()
  async customerNoteCreate(@Arg('input', () => CustomerNoteCreateInput) input: CustomerNoteCreateInput, @Ctx() context: RequestContext): Promise<CustomerNoteCreatePayload> {
    const actor = actorFromPrincipal(context.principal, context.requestId);
    const { note, customer } = await this.service.noteCreate(context.em, actor, input.customerId, input.body);
    return { note: toCustomerNoteType(note), customer: toCustomerType(customer) };
  }
}
