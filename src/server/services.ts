import { createHmac } from 'node:crypto';
import { AnalyticsService, type AnalyticsAnswer } from '../modules/analytics';
import { UsageService } from '../modules/usage';
import { ApiKeyService } from '../modules/api-keys';
import { ClientTokenService, ClientTokenSigner } from '../modules/client-tokens';
import { ConversationInsightsService, ConversationService, MessageService } from '../modules/conversations';
import { CustomerRemovalService, CustomerService } from '../modules/customers';
import { BulkExportService, ExportLinkSigner, PostgresExportFileStore } from '../modules/bulk-exports';
import { CursorCodec, Pager } from '../platform/pagination';
import { SecretBox } from '../platform/secret-box';
import { WebhookDeliveryService, WebhookEndpointService, WebhookRecoveryService, productionOutboundPolicy, type OutboundPolicy } from '../modules/webhooks';
import type { RateLimitSpec } from '../policies/rate-limit/rate-limit-spec';
import type { QueryLimits } from '../policies/cost/query-limits';
import { DirectoryService, ScimService } from '../modules/directory';
import { SlaService } from '../modules/sla';

export interface ServiceSettings {
  /** The API key pepper; other secrets (cursor signing) are derived from it. */
  readonly pepper: string;
  readonly defaultRateLimit: RateLimitSpec;
  /** Which webhook URLs may be registered (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOW_PRIVATE_NETWORKS); production's when absent. */
  readonly outboundPolicy?: OutboundPolicy;
  /** Told which store answered each analytics question (the gateway counts them on /metrics). */
  readonly onAnalyticsAnswer?: (answer: AnalyticsAnswer) => void;
  /** Told after a key change commits (the gateway drops its cached credentials of that key). */
  readonly onApiKeyChanged?: (id: string) => void;
  /** The origin of the links the gateway hands out (export downloads): PUBLIC_URL or where it listens. */
  readonly publicOrigin?: () => string;
  /** The limits a webhook payload selection must fit (QUERY_MAX_*); none in the CLI, which registers none. */
  readonly queryLimits?: QueryLimits;
}

/** Every domain service, built once per process and shared by HTTP, CLI and tests. */
export function createServices(settings: ServiceSettings) {
  const pager = new Pager(new CursorCodec(deriveSecret(settings.pepper, 'cursor-signing')));
  const customers = new CustomerService(pager);
  const messages = new MessageService(pager);
  const webhookSecrets = new SecretBox(settings.pepper, 'webhook-secrets');
  const webhookEndpoints = new WebhookEndpointService(pager, webhookSecrets, settings.outboundPolicy ?? productionOutboundPolicy, settings.queryLimits);
  const clientTokenSigner = new ClientTokenSigner(deriveSecret(settings.pepper, 'client-token-signing'));
  const exportLinks = new ExportLinkSigner(deriveSecret(settings.pepper, 'export-link-signing'));
  const directory = new DirectoryService();
  return {
    pager,
    clientTokenSigner,
    clientTokens: new ClientTokenService(clientTokenSigner),
    apiKeys: new ApiKeyService(settings.pepper, settings.defaultRateLimit, pager, settings.onApiKeyChanged),
    customers,
    customerRemoval: new CustomerRemovalService(),
    messages,
    conversations: new ConversationService(pager, customers, messages),
    conversationInsights: new ConversationInsightsService(pager),
    directory,
    scim: new ScimService(directory),
    sla: new SlaService(),
    webhookSecrets,
    webhookEndpoints,
    webhookDeliveries: new WebhookDeliveryService(pager, webhookEndpoints),
    webhookRecoveries: new WebhookRecoveryService(webhookEndpoints),
    analytics: new AnalyticsService(settings.onAnalyticsAnswer),
    usage: new UsageService(),
    exportLinks,
    bulkExports: new BulkExportService(pager, exportLinks, (em) => new PostgresExportFileStore(em), settings.publicOrigin ?? (() => 'http://127.0.0.1:4000')),
  };
}

export type Services = ReturnType<typeof createServices>;

/** One purpose, one key: a cursor signature can never double as a key hash. */
function deriveSecret(pepper: string, purpose: string): string {
  return createHmac('sha256', pepper).update(purpose).digest('base64url');
}
