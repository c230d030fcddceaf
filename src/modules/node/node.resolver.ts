import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { forbiddenScopes, notFound } from '../../platform/errors';
import { prefixOf } from '../../platform/ids';
import { NodeInterface } from '../../platform/node';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { Scope } from '../../policies/auth/scopes';
import type { RequestContext } from '../../policies/request-context';
import { Agent, Team, toAgentType, toTeamType } from '../agents';
import { toApiKeyType, type ApiKeyService } from '../api-keys';
import { Message, toConversationType, toMessageType, type ConversationService } from '../conversations';
import { toCustomerType, type CustomerService } from '../customers';
import type { BulkExportService } from '../bulk-exports';
import {
  WebhookAttempt, WebhookDelivery, WebhookRecovery, toWebhookAttemptType, toWebhookDeliveryType, toWebhookEndpointType, toWebhookRecoveryType, type WebhookEndpointService,
} from '../webhooks';

interface NodeServices {
  readonly conversations: ConversationService;
  readonly customers: CustomerService;
  readonly apiKeys: ApiKeyService;
  readonly bulkExports: BulkExportService;
  readonly webhookEndpoints: WebhookEndpointService;
}

type NodeFetcher = (context: RequestContext, id: string) => Promise<NodeInterface>;

/** Relay's `node(id)`: the id's prefix names the type, and that type's scope is required. */
@Resolver()
export class NodeResolver {
  /** `scope` null: the fetch checks the caller itself (an export needs every scope its query needed). */
  private readonly fetchers: Readonly<Record<string, { scope: Scope | null; fetch: NodeFetcher }>>;

  constructor(services: NodeServices) {
    const found = <T>(value: T | null, what: string): T => {
      if (value === null) throw notFound(what);
      return value;
    };
    this.fetchers = {
      conv: { scope: 'conversations:read', fetch: async ({ em, principal }, id) => toConversationType(await services.conversations.find(em, principal.workspaceId, id, principal.reach)) },
      msg: {
        scope: 'conversations:read',
        fetch: async ({ em, principal }, id) => {
          const message = found(await em.findOne(Message, { id, workspace: principal.workspaceId }), 'Message');
          if (principal.reach) found(await services.conversations.findVisible(em, principal.workspaceId, message.conversation.id, principal.reach), 'Message');
          return toMessageType(message);
        },
      },
      cus: { scope: 'customers:read', fetch: async ({ em, principal }, id) => toCustomerType(await services.customers.find(em, principal.workspaceId, id, principal.reach)) },
      agt: { scope: 'conversations:read', fetch: async ({ em, principal }, id) => toAgentType(found(await em.findOne(Agent, { id, workspace: principal.workspaceId }), 'Agent')) },
      team: { scope: 'conversations:read', fetch: async ({ em, principal }, id) => toTeamType(found(await em.findOne(Team, { id, workspace: principal.workspaceId }), 'Team')) },
      key: { scope: 'keys:read', fetch: async ({ em, principal }, id) => toApiKeyType(await services.apiKeys.find(em, principal.workspaceId, id)) },
      bex: { scope: null, fetch: async ({ em, principal }, id) => services.bulkExports.toType(await services.bulkExports.find(em, principal, id)) },
      // A deleted endpoint's deliveries and attempts go with it, as from its delivery log.
      we: { scope: 'webhooks:read', fetch: async ({ em, principal }, id) => toWebhookEndpointType(await services.webhookEndpoints.find(em, principal.workspaceId, id)) },
      del: {
        scope: 'webhooks:read',
        fetch: async ({ em, principal }, id) => toWebhookDeliveryType(found(await em.findOne(WebhookDelivery, { id, workspace: principal.workspaceId, endpoint: { deletedAt: null } }), 'WebhookDelivery')),
      },
      att: {
        scope: 'webhooks:read',
        fetch: async ({ em, principal }, id) =>
          toWebhookAttemptType(found(await em.findOne(WebhookAttempt, { id, workspace: principal.workspaceId, delivery: { workspace: principal.workspaceId, endpoint: { deletedAt: null } } }), 'WebhookAttempt')),
      },
      wrec: {
        scope: 'webhooks:read',
        fetch: async ({ em, principal }, id) => toWebhookRecoveryType(found(await em.findOne(WebhookRecovery, { id, workspace: principal.workspaceId }), 'WebhookRecovery')),
      },
    };
  }

  @Query(() => NodeInterface, { nullable: true, description: 'Any object by its global id; needs the read scope of its type.' })
  @RequiresScopes(['conversations:read'], ['customers:read'], ['keys:read'], ['webhooks:read'])
  async node(@Arg('id', () => ID) id: string, @Ctx() context: RequestContext): Promise<NodeInterface> {
    const fetcher = this.fetchers[prefixOf(id) ?? ''];
    if (!fetcher) throw notFound('Node');
    if (fetcher.scope && !context.principal.effectiveScopes.has(fetcher.scope)) throw forbiddenScopes([[fetcher.scope]], context.principal.grantedScopes);
    return fetcher.fetch(context, id);
  }
}
