import { CorsPolicy } from './http/cors';
import { GraphiQLPage } from './graphiql/graphiql-page';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { Config } from '../config/config';
import { ApiKeyAuthenticator, ApiKeyCredentials, apiKeyChangesChannel, bootstrapAdminKey, resolveApiKeyPepper, type IssuedApiKey } from '../modules/api-keys';
import { InMemoryFixedWindowCounter, RedisFixedWindowCounter, type FixedWindowCounter } from '../policies/rate-limit/fixed-window-counter';
import { parseRateLimit } from '../policies/rate-limit/rate-limit-spec';
import { RequestRateLimiter } from '../policies/rate-limit/request-rate-limiter';
import { RefusalPacer } from '../policies/rate-limit/refusal-pacer';
import { createFieldRateLimiter } from '../policies/rate-limit/field-rate-limit';
import { applyMigrations, connectOrm, hasPendingMigrations, type Orm } from '../platform/database/orm';
import { NotificationListener } from '../platform/database/notification-listener';
import type { Logger } from '../platform/observability/logger';
import { GatewayMetrics } from '../platform/observability/metrics';
import { startApollo } from './apollo';
import { CompiledExecution } from '../platform/execution';
import { drain, listen } from './http/listen';
import { attachGraphQLWebSocket } from './websocket/graphql-ws-server';
import { createGraphQLSseHandler } from './sse/graphql-sse-handler';
import { EventHub, EventSubscriptionResolver, eventRetentionJob } from '../modules/events';
import { entities } from './entities';
import { createGraphQLHandler } from './http/graphql-handler';
import { createHttpServer } from './http/http-server';
import { buildGatewaySchema } from './schema';
import { createCostGate } from './cost-gate';
import { schedulePeriodicJobs } from '../platform/jobs/periodic-job';
import { idempotencyRetentionJob } from '../policies/idempotency/idempotency-retention';
import { IdempotencyFlights } from '../policies/idempotency/idempotency-flights';
import { createResolverContainer } from './resolver-container';
import { UsageRecorder } from '../modules/usage';
import { createServices } from './services';
import { WebhookDispatcher } from '../modules/webhooks/delivery/webhook-dispatcher';
import { PayloadRenderer } from '../modules/webhooks/payload/payload-renderer';
import { createScimHandler } from './http/scim-handler';
import { usageSpikeJob } from '../modules/usage/usage-spikes';
import { slaCheckJob } from '../modules/sla/sla-check-job';
import { startWebhookRecoveryWorker } from '../modules/webhooks';
import type { Principal } from '../policies/auth/principal';
import { SubscriptionSlots } from './subscription-slots';
import { BulkExportRunner, PostgresExportFileStore, bulkExportFileRetentionJob, bulkExportRecoveryJob, SqlLineReader, startBulkExportWorker } from '../modules/bulk-exports';
import { bulkExportSqlSources } from './bulk-export-sql-sources';
import { createRequestContext } from './request-context-factory';
import { createExportDownloadHandler } from './http/export-download';
import { deletedRecordRetentionJob } from '../modules/deleted-records';

/** Concurrent subscriptions one API key may hold on one instance, over WebSocket and SSE together. */
const maxSubscriptionsPerKey = 100;

/** Thrown when the gateway cannot start; its message is one line for the operator. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export interface GatewayApp {
  /** `http://host:port` */
  readonly url: string;
  readonly orm: Orm;
  /** The HTTP server behind `url` (also carrying WebSocket upgrades). */
  readonly httpServer: Server;
  /** Set on the first start of an empty database only: print its secret once. */
  readonly bootstrapKey: IssuedApiKey | undefined;
  /** Per-key request figures, written in batches; `flush` writes them now. */
  readonly usage: UsageRecorder;
  /** Stops accepting, drains in-flight requests (up to the configured grace), closes resources. */
  close(): Promise<void>;
}

export async function startGatewayApp(config: Config, databaseUrl: string, logger: Logger): Promise<GatewayApp> {
  const metrics = new GatewayMetrics();
  const onStatement = () => metrics.sqlStatements.inc();
  const orm = await connectOrm({ databaseUrl, entities, connectTimeoutMs: config.databaseConnectTimeoutMs, poolSize: config.databasePoolSize, statementTimeoutMs: config.statementTimeoutMs, logger, onStatement }).catch((error: Error) => {
    throw new StartupError(`Cannot reach PostgreSQL at ${describeDatabase(databaseUrl)}: ${error.message.split('\n')[0]}`);
  });
  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'redis unavailable; rate limits fail open'));
  try {
    const applied = await applyMigrations(orm);
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
    const pepper = await resolveApiKeyPepper(config.apiKeyPepper, config.dataDir);
    const credentials = new ApiKeyCredentials();
    let listeningUrl = `http://${config.host}:${config.port}`;
    const services = createServices({
      publicOrigin: () => config.publicUrl ?? listeningUrl,
      pepper, defaultRateLimit: parseRateLimit(config.defaultRateLimit)!, outboundPolicy: config.webhooks, queryLimits: config.queryLimits,
      onAnalyticsAnswer: (answer) => metrics.analyticsAnswers.inc(answer),
      onApiKeyChanged: (id) => credentials.invalidate(id),
    });
    const bootstrapKey = await bootstrapAdminKey(orm.em.fork(), services.apiKeys);

    const hub = new EventHub(orm, databaseUrl, logger);
    await hub.start();
    const keyChanges = new NotificationListener(databaseUrl, apiKeyChangesChannel, {
      onNotification: (id) => credentials.invalidate(id),
      onListening: () => credentials.setListening(true),
      onLost: () => credentials.setListening(false),
    }, logger);
    await keyChanges.start();
    const eventSubscriptions = new EventSubscriptionResolver(hub, async (em, workspaceId, id, reach) => (await services.conversations.findVisible(em, workspaceId, id, reach)) !== null);
    const idempotencyFlights = new IdempotencyFlights();
    metrics.trackIdempotencyWaits(() => idempotencyFlights.waitingCount);
    const schema = await buildGatewaySchema(createResolverContainer(services, { idempotencyWaitMs: config.idempotencyWaitMs, idempotencyFlights, eventSubscriptions }));
    const usage = new UsageRecorder(databaseUrl, logger, (name) => metrics.operationLabel(name));
    const costGate = createCostGate(config, schema, redis, logger);
    const execution = new CompiledExecution(schema);
    const apollo = await startApollo(schema, execution, config, metrics, usage, costGate);
    const errorFormatting = { statementTimeoutMs: config.statementTimeoutMs, hideSuggestions: config.isProduction };

    const counter: FixedWindowCounter = redis ? new RedisFixedWindowCounter(redis) : new InMemoryFixedWindowCounter();
    const gates = {
      orm,
      logger,
      authenticator: new ApiKeyAuthenticator(pepper, config.defaultCostBudget, (error) => logger.warn({ err: error }, 'background write failed'), services.clientTokenSigner, credentials),
      fieldRateLimiter: createFieldRateLimiter(redis),
      rateLimiter: new RequestRateLimiter(counter, (error) => logger.warn({ err: error }, 'rate limit store failed; request allowed')),
      trustProxy: config.trustProxy,
      costGate,
      errorFormatting,
      maxTokens: config.queryLimits.maxTokens,
    };
    const refusalPacer = new RefusalPacer({ paceMs: config.refusalPaceMs });
    const graphql = createGraphQLHandler({ ...gates, apollo, refusalPacer, maxBodyBytes: config.maxBodyBytes, maxResponseBytes: config.maxResponseBytes, usage });
    const subscriptionSlots = new SubscriptionSlots(maxSubscriptionsPerKey);
    const graphqlStream = createGraphQLSseHandler({ ...gates, schema, execution, refusalPacer, maxBodyBytes: config.maxBodyBytes, subscriptionSlots, extras: { eventSubscriptions } });
    let areMigrationsApplied = false;
    const isReady = async () => {
      await orm.em.getConnection().execute('select 1');
      areMigrationsApplied ||= !(await hasPendingMigrations(orm));
      return areMigrationsApplied;
    };
    const cors = new CorsPolicy(config.corsOrigins);
    const storeFor = (em: Orm['em']) => new PostgresExportFileStore(em);
    const exportDownload = createExportDownloadHandler({ orm, links: services.exportLinks, storeFor, authenticator: gates.authenticator, trustProxy: config.trustProxy });
    const scim = createScimHandler({ orm, scim: services.scim, authenticator: gates.authenticator, trustProxy: config.trustProxy, maxBodyBytes: config.maxBodyBytes, publicOrigin: () => config.publicUrl ?? listeningUrl });
    const server = createHttpServer(
      { graphql, graphqlStream: graphqlStream.handle, exportDownload, scim, isReady, cors, graphiql: new GraphiQLPage(config.isGraphiQLEnabled), metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }) },
      logger,
      config.http,
    );
    const webSocket = attachGraphQLWebSocket({ ...gates, server, cors, schema, execution, maxMessageBytes: config.maxBodyBytes, subscriptionSlots, extras: { eventSubscriptions } });
    metrics.trackOpenConnections('websocket', () => webSocket.openSocketCount);
    metrics.trackOpenConnections('sse', () => graphqlStream.openStreamCount);
    await listen(server, config.port, config.host).catch((error: Error) => {
      throw new StartupError(error.message);
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    listeningUrl = url;
    const jobs = schedulePeriodicJobs(orm, [idempotencyRetentionJob, eventRetentionJob(config.eventRetentionMs), bulkExportRecoveryJob(config.bulkExports.leaseMs), bulkExportFileRetentionJob, deletedRecordRetentionJob(config.tombstoneRetentionMs), usageSpikeJob(config.usageSpike), slaCheckJob(services.sla, config.slaCheckIntervalMs)], logger);
    // Exports and payload selections execute the API's own resolvers, for a principal no request brought.
    const backgroundContext = (principal: Principal, requestId: string) => createRequestContext({ orm, logger, fieldRateLimiter: gates.fieldRateLimiter }, principal, requestId);
    const exportRunner = new BulkExportRunner(orm, schema, execution, storeFor, backgroundContext, config.bulkExports, logger, new SqlLineReader(schema, orm, services.pager, bulkExportSqlSources(services)));
    const exportWorker = await startBulkExportWorker(databaseUrl, exportRunner, logger, config.bulkExports.concurrency);
    const recoveryWorker = await startWebhookRecoveryWorker(databaseUrl, orm, logger);
    const dispatcher = new WebhookDispatcher(orm, services.webhookSecrets, { ...config.webhooks, policy: config.webhooks }, logger, {
      renderer: new PayloadRenderer(schema, backgroundContext, () => metrics.webhookPayloadRenders.inc()),
      metrics: {
        attempted: (outcome, durationMs) => {
          metrics.webhookAttempts.inc({ outcome });
          metrics.webhookAttemptDuration.observe({ outcome }, durationMs / 1000);
        },
        finished: (status) => metrics.webhookDeliveriesFinished.inc({ status }),
      },
    });
    dispatcher.start();

    return {
      url,
      orm,
      httpServer: server,
      bootstrapKey,
      usage,
      async close() {
        await Promise.all([webSocket.close(), graphqlStream.close()]);
        await drain(server, config.shutdownGraceMs);
        await jobs.stop();
        await exportWorker.stop();
        await recoveryWorker.stop();
        await dispatcher.stop();
        await hub.stop();
        await keyChanges.stop();
        await apollo.stop();
        await usage.stop();
        await counter.close();
        redis?.disconnect();
        await orm.close(true);
      },
    };
  } catch (error) {
    redis?.disconnect();
    await orm.close(true);
    throw error;
  }
}

function describeDatabase(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}
