import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { Redis } from 'ioredis';
import type { Config } from '../config/config';
import { ApiKeyAuthenticator, bootstrapAdminKey, resolveApiKeyPepper, type IssuedApiKey } from '../modules/api-keys';
import type { RequestContext } from '../policies/request-context';
import { InMemoryFixedWindowCounter, RedisFixedWindowCounter, type FixedWindowCounter } from '../policies/rate-limit/fixed-window-counter';
import { parseRateLimit } from '../policies/rate-limit/rate-limit-spec';
import { RequestRateLimiter } from '../policies/rate-limit/request-rate-limiter';
import { createFieldRateLimiter } from '../policies/rate-limit/field-rate-limit';
import { formatGraphQLError } from '../platform/errors';
import { applyMigrations, connectOrm, hasPendingMigrations, type Orm } from '../platform/database/orm';
import type { Logger } from '../platform/observability/logger';
import { GatewayMetrics } from '../platform/observability/metrics';
import { observabilityPlugin } from './apollo-observability.plugin';
import { entities } from './entities';
import { createGraphQLHandler } from './http/graphql-handler';
import { createHttpServer } from './http/http-server';
import { buildGatewaySchema } from './schema';
import { schedulePeriodicJobs } from '../platform/jobs/periodic-job';
import { idempotencyRetentionJob } from '../policies/idempotency/idempotency-retention';
import { createResolverContainer } from './resolver-container';
import { createServices } from './services';

/** Thrown when the gateway cannot start; its message is one line for the operator. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export interface GatewayApp {
  /** `http://host:port` */
  readonly url: string;
  readonly orm: Orm;
  /** Set on the first start of an empty database only: print its secret once. */
  readonly bootstrapKey: IssuedApiKey | undefined;
  /** Stops accepting, drains in-flight requests (up to the configured grace), closes resources. */
  close(): Promise<void>;
}

export async function startGatewayApp(config: Config, databaseUrl: string, logger: Logger): Promise<GatewayApp> {
  const metrics = new GatewayMetrics();
  const onStatement = () => metrics.sqlStatements.inc();
  const orm = await connectOrm({ databaseUrl, entities, connectTimeoutMs: config.databaseConnectTimeoutMs, logger, onStatement }).catch((error: Error) => {
    throw new StartupError(`Cannot reach PostgreSQL at ${describeDatabase(databaseUrl)}: ${error.message.split('\n')[0]}`);
  });
  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'redis unavailable; rate limits fail open'));
  try {
    const applied = await applyMigrations(orm);
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
    const pepper = await resolveApiKeyPepper(config.apiKeyPepper, config.dataDir);
    const services = createServices({ pepper, defaultRateLimit: parseRateLimit(config.defaultRateLimit)! });
    const bootstrapKey = await bootstrapAdminKey(orm.em.fork(), services.apiKeys);

    const schema = await buildGatewaySchema(createResolverContainer(services, config));
    const apollo = new ApolloServer<RequestContext>({
      schema,
      introspection: config.isIntrospectionEnabled,
      hideSchemaDetailsFromClientErrors: config.isProduction,
      includeStacktraceInErrorResponses: false,
      // Keys travel in a header browsers never send on their own, so CSRF does not apply.
      csrfPrevention: false,
      // `gateway serve` owns SIGINT/SIGTERM: it drains HTTP, then stops Apollo and PostgreSQL.
      stopOnTerminationSignals: false,
      formatError: formatGraphQLError,
      plugins: [observabilityPlugin(metrics)],
    });
    await apollo.start();

    const counter: FixedWindowCounter = redis ? new RedisFixedWindowCounter(redis) : new InMemoryFixedWindowCounter();
    const onBackgroundError = (error: unknown) => logger.warn({ err: error }, 'background write failed');
    const graphql = createGraphQLHandler({
      apollo,
      orm,
      authenticator: new ApiKeyAuthenticator(pepper, onBackgroundError),
      fieldRateLimiter: createFieldRateLimiter(redis),
      rateLimiter: new RequestRateLimiter(counter, (error) => logger.warn({ err: error }, 'rate limit store failed; request allowed')),
      trustProxy: config.trustProxy,
      maxBodyBytes: config.maxBodyBytes,
      logger,
    });
    let areMigrationsApplied = false;
    const isReady = async () => {
      await orm.em.getConnection().execute('select 1');
      areMigrationsApplied ||= !(await hasPendingMigrations(orm));
      return areMigrationsApplied;
    };
    const server = createHttpServer(
      { graphql, isReady, metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }) },
      logger,
    );
    await listen(server, config.port, config.host);
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    const jobs = schedulePeriodicJobs(orm, [idempotencyRetentionJob], logger);

    return {
      url,
      orm,
      bootstrapKey,
      async close() {
        await drain(server, config.shutdownGraceMs);
        await jobs.stop();
        await apollo.stop();
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

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new StartupError(error.code === 'EADDRINUSE' ? `Port ${port} on ${host} is already in use (set PORT)` : error.message)),
    );
    server.listen(port, host, () => resolve());
  });
}

/** Lets in-flight requests finish; after `graceMs`, cuts whatever is left. */
async function drain(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive sockets go idle as their last response ends: close them as soon as they do.
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearInterval(sweeper);
  clearTimeout(deadline);
}

function describeDatabase(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}
