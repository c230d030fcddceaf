import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { actorFromPrincipal } from '../../../policies/auth/actor';
import { RequiresScopes } from '../../../policies/auth/requires-scopes.directive';
import { ListSize } from '../../../policies/cost/cost-directives';
import { Idempotent } from '../../../policies/idempotency/idempotent.middleware';
import type { RequestContext } from '../../../policies/request-context';
import { endpointStats, StatsWindowEnum, WebhookEndpointStatsType } from '../insights/webhook-endpoint-stats';
import { toWebhookDeliveryType } from '../management/webhook-delivery.type';
import { WebhookEndpointType } from '../management/webhook-endpoint.type';
import { WebhookEndpointRecoverInput, WebhookEndpointRecoverPayload, WebhookEventResendInput, WebhookEventResendPayload } from './webhook-recovery.inputs';
import { maxListedRecoveries, type WebhookRecoveryService } from './webhook-recovery.service';
import { toWebhookRecoveryType, WebhookRecoveryType } from './webhook-recovery.type';

/** Sending again, and what an endpoint's owner watches: its recoveries and its figures. */
@Resolver(() => WebhookEndpointType)
export class WebhookRecoveryResolver {
  constructor(private readonly service: WebhookRecoveryService) {}

  @Mutation(() => WebhookEventResendPayload, {
    nullable: true,
    description: 'Sends one event to the endpoint again now, delivered before or not, with the same webhook-id (and the same body for a payload selection).',
  })
  @RequiresScopes(['webhooks:write'])
  @Idempotent()
  async webhookEventResend(@Arg('input', () => WebhookEventResendInput) input: WebhookEventResendInput, @Ctx() context: RequestContext) {
    return { delivery: toWebhookDeliveryType(await this.service.resend(context.em, actorOf(context), input.endpointId, input.eventId)) };
  }

  @Mutation(() => WebhookEndpointRecoverPayload, {
    nullable: true,
    description: 'Makes every FAILED delivery of the endpoint since a time due again, as a background job whose progress the returned recovery shows.',
  })
  @RequiresScopes(['webhooks:write'])
  @Idempotent()
  async webhookEndpointRecover(@Arg('input', () => WebhookEndpointRecoverInput) input: WebhookEndpointRecoverInput, @Ctx() context: RequestContext) {
    return { recovery: toWebhookRecoveryType(await this.service.recover(context.em, actorOf(context), input.endpointId, input.since, input.until ?? null)) };
  }

  @FieldResolver(() => [WebhookRecoveryType], { description: `The endpoint’s latest ${maxListedRecoveries} recoveries, newest first.` })
  @RequiresScopes(['webhooks:read'])
  @ListSize({ assumedSize: maxListedRecoveries })
  async recoveries(@Root() endpoint: WebhookEndpointType, @Ctx() { em, principal }: RequestContext): Promise<WebhookRecoveryType[]> {
    return (await this.service.list(em, principal.workspaceId, endpoint.id)).map(toWebhookRecoveryType);
  }

  @FieldResolver(() => WebhookEndpointStatsType, { description: 'Attempts, successes, failures by kind and latency percentiles over a window.' })
  @RequiresScopes(['webhooks:read'])
  async stats(
    @Root() endpoint: WebhookEndpointType,
    @Arg('window', () => StatsWindowEnum, { defaultValue: StatsWindowEnum.DAY }) window: StatsWindowEnum,
    @Ctx() { em, principal }: RequestContext,
  ): Promise<WebhookEndpointStatsType> {
    return endpointStats(em, principal.workspaceId, endpoint.id, window);
  }
}

const actorOf = (context: RequestContext) => actorFromPrincipal(context.principal, context.requestId);
