import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { actorFromPrincipal } from '../../../policies/auth/actor';
import { RequiresScopes } from '../../../policies/auth/requires-scopes.directive';
import { Idempotent } from '../../../policies/idempotency/idempotent.middleware';
import type { RequestContext } from '../../../policies/request-context';
import { PageArgs, toConnection } from '../../../platform/pagination';
import { deliveryPagesLoader } from './webhook-delivery-pages.loaders';
import type { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookDeliveryConnection, WebhookDeliveryFilterInput, toWebhookDeliveryType } from './webhook-delivery.type';
import {
  WebhookEndpointCreateInput, WebhookEndpointDeleteInput, WebhookEndpointRotateSecretInput, WebhookEndpointUpdateInput, toEndpointChanges, toEndpointCreation,
} from './webhook-endpoint.inputs';
import {
  WebhookEndpointCreatePayload, WebhookEndpointDeletePayload, WebhookEndpointRotateSecretPayload, WebhookEndpointUpdatePayload,
} from './webhook-endpoint.payloads';
import type { WebhookEndpointService } from './webhook-endpoint.service';
import { WebhookEndpointConnection, WebhookEndpointType, toWebhookEndpointType } from './webhook-endpoint.type';

@Resolver(() => WebhookEndpointType)
export class WebhookEndpointResolver {
  private readonly deliveryPages: ReturnType<typeof deliveryPagesLoader>;

  constructor(
    private readonly service: WebhookEndpointService,
    deliveryLog: WebhookDeliveryService,
  ) {
    this.deliveryPages = deliveryPagesLoader(deliveryLog);
  }

  @Query(() => WebhookEndpointConnection, { nullable: true, description: 'Webhook endpoints of the workspace, newest first; deleted ones are gone.' })
  @RequiresScopes(['webhooks:read'])
  async webhookEndpoints(@Args(() => PageArgs) page: PageArgs, @Ctx() { em, principal }: RequestContext) {
    return toConnection(await this.service.list(em, principal.workspaceId, page), (endpoint) => toWebhookEndpointType(endpoint));
  }

  @Query(() => WebhookEndpointType, { nullable: true, description: 'One endpoint of the workspace; NOT_FOUND for any other id, and once deleted.' })
  @RequiresScopes(['webhooks:read'])
  async webhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() { em, principal }: RequestContext): Promise<WebhookEndpointType> {
    return toWebhookEndpointType(await this.service.find(em, principal.workspaceId, id));
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'The delivery log of this endpoint, newest first, with every attempt.' })
  @RequiresScopes(['webhooks:read'])
  async deliveries(
    @Root() endpoint: WebhookEndpointType,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => WebhookDeliveryFilterInput, { nullable: true }) filter: WebhookDeliveryFilterInput | null,
    @Ctx() { principal, loaders }: RequestContext,
  ) {
    const deliveries = await loaders.get(this.deliveryPages).load(endpoint.id, { workspaceId: principal.workspaceId, page, status: filter?.status ?? null });
    return toConnection(deliveries, toWebhookDeliveryType);
  }

  @Mutation(() => WebhookEndpointCreatePayload, {
    nullable: true,
    description: 'Registers an endpoint. It receives events committed from now on (replay older ones with webhookEventsReplay).',
  })
  @RequiresScopes(['webhooks:write'])
  @Idempotent()
  async webhookEndpointCreate(@Arg('input', () => WebhookEndpointCreateInput) input: WebhookEndpointCreateInput, @Ctx() context: RequestContext, @Info() info: GraphQLResolveInfo) {
    const { endpoint, sealedSecret } = await this.service.create(context.em, actorOf(context), toEndpointCreation(input), info.schema);
    return { webhookEndpoint: toWebhookEndpointType(endpoint), sealedSecret };
  }

  @Mutation(() => WebhookEndpointUpdatePayload, { nullable: true })
  @RequiresScopes(['webhooks:write'])
  @Idempotent()
  async webhookEndpointUpdate(@Arg('input', () => WebhookEndpointUpdateInput) input: WebhookEndpointUpdateInput, @Ctx() context: RequestContext, @Info() info: GraphQLResolveInfo) {
    return { webhookEndpoint: toWebhookEndpointType(await this.service.update(context.em, actorOf(context), input.id, toEndpointChanges(input), info.schema, input.expectedVersion)) };
  }

  @Mutation(() => WebhookEndpointDeletePayload, { nullable: true, description: 'Deletes the endpoint; its pending deliveries fail with `endpoint deleted`.' })
  @RequiresScopes(['webhooks:write'])
  @Idempotent()
  async webhookEndpointDelete(@Arg('input', () => WebhookEndpointDeleteInput) input: WebhookEndpointDeleteInput, @Ctx() context: RequestContext) {
    await this.service.delete(context.em, actorOf(context), input.id, input.expectedVersion);
    return { deletedWebhookEndpointId: input.id };
  }

  @Mutation(() => WebhookEndpointRotateSecretPayload, {
    nullable: true,
    description: 'Issues a new signing secret; deliveries are signed with both until previousSecretExpiresAt.',
  })
  @RequiresScopes(['webhooks:write'])
  @Idempotent()
  async webhookEndpointRotateSecret(@Arg('input', () => WebhookEndpointRotateSecretInput) input: WebhookEndpointRotateSecretInput, @Ctx() context: RequestContext) {
    const { endpoint, sealedSecret } = await this.service.rotateSecret(context.em, actorOf(context), input.id, input.previousSecretExpiresInSeconds, input.expectedVersion);
    return { webhookEndpoint: toWebhookEndpointType(endpoint), sealedSecret };
  }
}

const actorOf = (context: RequestContext) => actorFromPrincipal(context.principal, context.requestId);
