import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { actorFromPrincipal } from '../../../policies/auth/actor';
import { RequiresScopes } from '../../../policies/auth/requires-scopes.directive';
import { Idempotent } from '../../../policies/idempotency/idempotent.middleware';
import type { RequestContext } from '../../../policies/request-context';
import { attemptsByDeliveryLoader } from './webhook-attempt.loaders';
import type { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookAttemptType, WebhookDeliveryType, toWebhookAttemptType, toWebhookDeliveryType } from './webhook-delivery.type';
import { WebhookDeliveryRetryInput, WebhookEndpointTestInput, WebhookEventsReplayInput } from './webhook-endpoint.inputs';
import { WebhookDeliveryRetryPayload, WebhookEndpointTestPayload, WebhookEventsReplayPayload } from './webhook-endpoint.payloads';
import { ListSize } from '../../../policies/cost/cost-directives';

/** WEBHOOK_RETRY_SCHEDULE allows at most 20 attempts (config.ts). */
const maxAttemptsPerDelivery = 20;

@Resolver(() => WebhookDeliveryType)
export class WebhookDeliveryResolver {
  constructor(private readonly service: WebhookDeliveryService) {}

  @FieldResolver(() => [WebhookAttemptType], { description: 'Every attempt so far, oldest first.' })
  @RequiresScopes(['webhooks:read'])
  @ListSize({ assumedSize: maxAttemptsPerDelivery })
  async attempts(@Root() delivery: WebhookDeliveryType, @Ctx() { loaders, principal }: RequestContext): Promise<WebhookAttemptType[]> {
    return (await loaders.get(attemptsByDeliveryLoader).load({ workspaceId: principal.workspaceId, deliveryId: delivery.id })).map(toWebhookAttemptType);
  }

  @Mutation(() => WebhookEndpointTestPayload, {
    nullable: true,
    description: 'Sends a `webhook.test` event, `{ webhookEndpointId }`, to this endpoint only, through the normal signed, retried delivery path.',
  })
  @RequiresScopes(['webhooks:write'])
  @Idempotent()
  async webhookEndpointTest(@Arg('input', () => WebhookEndpointTestInput) input: WebhookEndpointTestInput, @Ctx() context: RequestContext) {
    return { delivery: toWebhookDeliveryType(await this.service.sendTest(context.em, actorOf(context), input.id)) };
  }

  @Mutation(() => WebhookDeliveryRetryPayload, { nullable: true, description: 'Makes a FAILED or PENDING delivery due now; its attempt history stays.' })
  @RequiresScopes(['webhooks:write'])
  @Idempotent()
  async webhookDeliveryRetry(@Arg('input', () => WebhookDeliveryRetryInput) input: WebhookDeliveryRetryInput, @Ctx() context: RequestContext) {
    return { delivery: toWebhookDeliveryType(await this.service.retry(context.em, actorOf(context), input.deliveryId)) };
  }

  @Mutation(() => WebhookEventsReplayPayload, {
    nullable: true,
    description: 'Queues deliveries of past events to one endpoint, e.g. after an outage; events it already has a delivery of are skipped.',
  })
  @RequiresScopes(['webhooks:write'])
  @Idempotent()
  async webhookEventsReplay(@Arg('input', () => WebhookEventsReplayInput) input: WebhookEventsReplayInput, @Ctx() context: RequestContext) {
    return this.service.replay(context.em, actorOf(context), input.endpointId, { since: input.since, until: input.until, eventTypes: input.eventTypes });
  }
}

const actorOf = (context: RequestContext) => actorFromPrincipal(context.principal, context.requestId);
