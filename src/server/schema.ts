import { buildSchema, type ContainerType } from 'type-graphql';
import { specifiedDirectives, type GraphQLInterfaceType, type GraphQLSchema } from 'graphql';
import { resolveNodeType } from '../platform/node';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { enforceScopeDirectives, requiresScopesDirective } from '../policies/auth/requires-scopes.directive';
import { costDirective, declareDefaultCosts, listSizeDirective } from '../policies/cost/cost-directives';
import { ApiKeyCreateSecretResolver, ApiKeyResolver, ApiKeyRotateSecretResolver, ViewerResolver } from '../modules/api-keys';
import { AnalyticsResolver } from '../modules/analytics';
import { AnalyticsPerformanceResolver, ApiKeyUsageResolver } from '../modules/usage';
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

export const resolverClasses = [
  ViewerResolver,
  NodeResolver,
  ApiKeyResolver,
  ApiKeyCreateSecretResolver,
  ApiKeyRotateSecretResolver,
  ClientTokenResolver,
  AuditResolver,
  AgentResolver,
  DirectoryResolver,
  SlaResolver,
  CustomerResolver,
  CustomerRemovalResolver,
  ConversationResolver,
  ConversationFieldsResolver,
  ConversationInsightsResolver,
  CustomerConversationsResolver,
  EventNodesResolver,
  EventResolver,
  EventSubscriptionResolver,
  WebhookEndpointResolver,
  WebhookDeliveryResolver,
  WebhookRecoveryResolver,
  WebhookEndpointCreateSecretResolver,
  WebhookEndpointRotateSecretResolver,
  AnalyticsResolver,
  AnalyticsPerformanceResolver,
  ApiKeyUsageResolver,
  BulkExportResolver,
] as const;

/**
 * Builds the executable schema. `container` hands type-graphql the resolver instances, each
 * constructed with its services; building alone never asks it for one.
 */
export async function buildGatewaySchema(container: ContainerType): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: resolverClasses,
    container,
    // type-graphql hands this list to GraphQLSchema as is: without the specified ones, @include and @skip vanish.
    directives: [...specifiedDirectives, requiresScopesDirective, costDirective, listSizeDirective],
    validate: false,
    // Every subscription streams from the event hub through its own `subscribe`; type-graphql
    // still insists on a PubSub, so it gets one that refuses to be used.
    pubSub: unusedPubSub,
  });
  // type-graphql wraps every resolveType in an async function. graphql-jit's plans need the type
  // name itself, not a promise of it (graphql-js takes both), and the id's prefix gives it at once.
  (schema.getType('Node') as GraphQLInterfaceType).resolveType = resolveNodeType;
  return enforceScopeDirectives(declareDefaultCosts(schema));
}

/** The reviewed contract: SDL with directive applications such as `@requiresScopes`. */
export function printGatewaySchema(schema: GraphQLSchema): string {
  return printSchemaWithDirectives(schema) + '\n';
}

const unusedPubSub = {
  publish(): never {
    throw new Error('subscriptions stream from the event hub, not a PubSub');
  },
  subscribe(): never {
    throw new Error('subscriptions stream from the event hub, not a PubSub');
  },
};
