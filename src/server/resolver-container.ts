import { AnalyticsResolver } from '../modules/analytics';
import { AnalyticsPerformanceResolver, ApiKeyUsageResolver } from '../modules/usage';
import type { ContainerType } from 'type-graphql';
import { ApiKeyCreateSecretResolver, ApiKeyResolver, ApiKeyRotateSecretResolver, ViewerResolver } from '../modules/api-keys';
import { AuditResolver } from '../modules/audit';
import { BulkExportResolver } from '../modules/bulk-exports';
import { ClientTokenResolver } from '../modules/client-tokens';
import { CustomerRemovalResolver, CustomerResolver } from '../modules/customers';
import { AgentResolver } from '../modules/agents';
import { DirectoryResolver } from '../modules/directory';
import { SlaResolver } from '../modules/sla';
import { NodeResolver } from '../modules/node';
import { EventResolver, EventSubscriptionResolver } from '../modules/events';
import { ConversationFieldsResolver, ConversationInsightsResolver, ConversationResolver, CustomerConversationsResolver, EventNodesResolver } from '../modules/conversations';

import { WebhookDeliveryResolver, WebhookEndpointCreateSecretResolver, WebhookEndpointResolver, WebhookEndpointRotateSecretResolver, WebhookRecoveryResolver } from '../modules/webhooks';
import type { Services } from './services';
import { IdempotencyMiddleware } from '../policies/idempotency/idempotent.middleware';
import type { IdempotencyFlights } from '../policies/idempotency/idempotency-flights';

export interface ResolverSettings {
  readonly idempotencyWaitMs: number;
  /** The instance's idempotency keys in progress, where duplicates wait. */
  readonly idempotencyFlights: IdempotencyFlights;
  readonly eventSubscriptions?: EventSubscriptionResolver;
}

/** Hands type-graphql one instance per resolver and middleware class, constructed with its dependencies. */
export function createResolverContainer(services: Services, settings: ResolverSettings): ContainerType {
  const instances = new Map<unknown, unknown>([
    [IdempotencyMiddleware, new IdempotencyMiddleware(settings.idempotencyWaitMs, settings.idempotencyFlights)],
    [ViewerResolver, new ViewerResolver(services.apiKeys)],
    [ApiKeyResolver, new ApiKeyResolver(services.apiKeys)],
    [ApiKeyCreateSecretResolver, new ApiKeyCreateSecretResolver(services.apiKeys)],
    [ApiKeyRotateSecretResolver, new ApiKeyRotateSecretResolver(services.apiKeys)],
    [ClientTokenResolver, new ClientTokenResolver(services.clientTokens)],
    [AuditResolver, new AuditResolver(services.pager)],
    [CustomerResolver, new CustomerResolver(services.customers)],
    [CustomerRemovalResolver, new CustomerRemovalResolver(services.customerRemoval)],
    [AgentResolver, new AgentResolver()],
    [DirectoryResolver, new DirectoryResolver(services.directory)],
    [SlaResolver, new SlaResolver(services.sla)],
    [NodeResolver, new NodeResolver(services)],
    [EventResolver, new EventResolver(services.pager)],
    [EventSubscriptionResolver, settings.eventSubscriptions],
    [ConversationResolver, new ConversationResolver(services.conversations, services.messages)],
    [ConversationFieldsResolver, new ConversationFieldsResolver(services.messages)],
    [ConversationInsightsResolver, new ConversationInsightsResolver(services.conversationInsights)],
    [CustomerConversationsResolver, new CustomerConversationsResolver(services.conversations)],
    [EventNodesResolver, new EventNodesResolver()],
    [WebhookEndpointResolver, new WebhookEndpointResolver(services.webhookEndpoints, services.webhookDeliveries)],
    [WebhookDeliveryResolver, new WebhookDeliveryResolver(services.webhookDeliveries)],
    [WebhookRecoveryResolver, new WebhookRecoveryResolver(services.webhookRecoveries)],
    [WebhookEndpointCreateSecretResolver, new WebhookEndpointCreateSecretResolver(services.webhookEndpoints)],
    [WebhookEndpointRotateSecretResolver, new WebhookEndpointRotateSecretResolver(services.webhookEndpoints)],
    [AnalyticsResolver, new AnalyticsResolver(services.analytics)],
    [AnalyticsPerformanceResolver, new AnalyticsPerformanceResolver(services.usage)],
    [ApiKeyUsageResolver, new ApiKeyUsageResolver(services.usage)],
    [BulkExportResolver, new BulkExportResolver(services.bulkExports)],
  ]);
  return {
    get(resolverClass) {
      const instance = instances.get(resolverClass);
      if (!instance) throw new Error(`No resolver instance registered for ${String((resolverClass as { name?: string }).name)}`);
      return instance;
    },
  };
}
