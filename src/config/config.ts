import { z } from 'zod';
import path from 'node:path';
import { parseTrustProxy, type TrustProxySetting } from '../policies/auth/ip-allowlist';
import type { CostBudgetSpec } from '../policies/cost/cost-budget';
import { parseCostBudget } from '../policies/cost/cost-budget-spec';
import type { QueryLimits } from '../policies/cost/query-limits';
import { normalizedOrigin } from '../platform/origins';

/** Thrown for a bad environment value; its message is one line naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const durationPattern = /^(\d+)\s*(ms|s|m|h|d)?$/;
const durationUnitsMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `15s`, `500ms`, `90d` or a bare number of milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const match = durationPattern.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'ms') as keyof typeof durationUnitsMs;
  return Number(match[1]) * durationUnitsMs[unit];
}

const duration = z.string().transform((text, ctx) => {
  const ms = parseDurationMs(text);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 30s, 5m, 24h' });
  return ms ?? 0;
});

const costBudget = z.string().transform((text, ctx) => {
  const spec = parseCostBudget(text);
  if (!spec) ctx.addIssue({ code: 'custom', message: 'expected MAX/RATE points, e.g. 2000/100 (a bucket of 2000 points refilling at 100 a second)' });
  return spec ?? { maximumAvailable: 1, restoreRate: 1 };
});

const limit = (fallback: number) => z.coerce.number().int().min(1).max(10_000_000).default(fallback);

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// URL')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.string().default('false'),
  CORS_ORIGINS: z.string().default(''),
  API_KEY_PEPPER: z.string().min(32, 'must be at least 32 characters').optional(),
  DEFAULT_RATE_LIMIT: z.string().regex(/^\d+\/(s|sec|second|min|minute|h|hour)$/, 'expected e.g. 600/min').default('600/min'),
  REFUSAL_PACE: duration.default(1_000),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  HTTP_KEEP_ALIVE_TIMEOUT: duration.default(65_000),
  HTTP_HEADERS_TIMEOUT: duration.optional(),
  HTTP_REQUEST_TIMEOUT: duration.default(120_000),
  SHUTDOWN_GRACE: duration.default(10_000),
  DATABASE_CONNECT_TIMEOUT: duration.default(3_000),
  IDEMPOTENCY_WAIT: duration.default(10_000),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(1000).default(10),
  STATEMENT_TIMEOUT: duration.default(10_000),
  MAX_RESPONSE_BYTES: z.coerce.number().int().min(1024).default(10_485_760),
  EVENT_RETENTION: duration.default(30 * 86_400_000),
  SLA_CHECK_INTERVAL: duration.default(30_000),
  USAGE_SPIKE_FACTOR: limit(10),
  USAGE_SPIKE_MIN_REQUESTS: limit(300),
  WEBHOOK_TIMEOUT: duration.default(15_000),
  WEBHOOK_RETRY_SCHEDULE: z.string().default('0s,5s,5m,30m,2h,5h,10h,10h'),
  WEBHOOK_DISABLE_AFTER: duration.default(5 * 86_400_000),
  WEBHOOK_FAILING_AFTER: duration.default(3_600_000),
  WEBHOOK_POLL_INTERVAL: duration.default(1_000),
  WEBHOOK_ALLOW_HTTP: booleanFlag.default(false),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: booleanFlag.default(false),
  GRAPHQL_INTROSPECTION: booleanFlag.optional(),
  GRAPHIQL: booleanFlag.optional(),
  MAX_QUERY_COST: limit(2_000),
  MAX_QUERY_DEPTH: limit(12),
  MAX_QUERY_ALIASES: limit(30),
  MAX_QUERY_TOKENS: limit(2_000),
  MAX_QUERY_ROOT_FIELDS: limit(20),
  MAX_QUERY_DIRECTIVES: limit(50),
  DEFAULT_COST_BUDGET: costBudget.default(parseCostBudget('2000/100')!),
  WORKSPACE_COST_BUDGET: costBudget.default(parseCostBudget('10000/500')!),
  COST_ANALYSIS: booleanFlag.default(true),
  PUBLIC_URL: z.string().regex(/^https?:\/\/[^/]+$/, 'expected an origin such as https://api.example.com, with no path').optional(),
  BULK_EXPORT_LEASE: duration.default(60_000),
  BULK_EXPORT_CONCURRENCY: z.coerce.number().int().min(0).max(16).default(1),
  BULK_EXPORT_FILE_RETENTION: duration.default(7 * 86_400_000),
  TOMBSTONE_RETENTION: duration.default(90 * 86_400_000),
});

/** Every environment variable the gateway reads (the README's configuration table lists each; a test checks it). */
export const environmentVariables = Object.keys(environmentSchema.shape) as readonly string[];

export interface Config {
  readonly environment: 'development' | 'production' | 'test';
  readonly isProduction: boolean;
  readonly port: number;
  readonly host: string;
  /** undefined: run the embedded PostgreSQL under dataDir */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly redisUrl: string | undefined;
  readonly logLevel: string;
  /** Which proxies' X-Forwarded-For to believe; none by default, so the header cannot be spoofed. */
  readonly trustProxy: TrustProxySetting;
  /** Browser origins allowed to call /graphql and /graphql/stream, and to open WebSockets; none by default. */
  readonly corsOrigins: readonly string[];
  /** HMAC key for API key hashes; when unset, one is generated and kept in the database. */
  readonly apiKeyPepper: string | undefined;
  readonly defaultRateLimit: string;
  /** Longest pause before a 429 to a key that was already told to wait and sent again anyway (0: none). */
  readonly refusalPaceMs: number;
  /** Largest request body over HTTP and SSE, and largest WebSocket message. */
  readonly maxBodyBytes: number;
  readonly http: HttpTimeouts;
  readonly shutdownGraceMs: number;
  readonly databaseConnectTimeoutMs: number;
  /** How long a duplicate idempotent request waits for the first before IDEMPOTENCY_REQUEST_IN_PROGRESS. */
  readonly idempotencyWaitMs: number;
  /** Connections this instance's API pool holds at most (the LISTEN and usage connections are extra). */
  readonly databasePoolSize: number;
  /** PostgreSQL's statement_timeout on the API's connections (0: none); migrations run without it. */
  readonly statementTimeoutMs: number;
  /** A GraphQL result larger than this is replaced by RESPONSE_TOO_LARGE. */
  readonly maxResponseBytes: number;
  /** How long the event log keeps events (catch-up, replay, resume). */
  readonly eventRetentionMs: number;
  /** How long tombstones of deleted records stay listable with includeDeleted. */
  readonly tombstoneRetentionMs: number;
  /** `api_key.usage_spike`: a key's last 5 minutes above this multiple of its trailing daily average, with at least minRequests. */
  readonly usageSpike: { readonly factor: number; readonly minRequests: number };
  /** How often the SLA check announces warnings and breaches. */
  readonly slaCheckIntervalMs: number;
  readonly webhooks: {
    readonly timeoutMs: number;
    /** Delay before each attempt; its length is the number of attempts (Svix's by default). */
    readonly retryScheduleMs: readonly number[];
    /** An endpoint failing without a success for this long is disabled. */
    readonly disableAfterMs: number;
    /** An endpoint failing without a success for this long gets one `webhook_endpoint.failing` event. */
    readonly failingAfterMs: number;
    readonly pollIntervalMs: number;
    /** Never both true in production: endpoints must be public https there. */
    readonly isPlainHttpAllowed: boolean;
    readonly isPrivateNetworkAllowed: boolean;
  };
  readonly isIntrospectionEnabled: boolean;
  /** GraphiQL on GET /graphql for browsers: on outside production, opt-in there. */
  readonly isGraphiQLEnabled: boolean;
  /** Bounds on every operation, checked before it runs. */
  readonly queryLimits: QueryLimits;
  /** The bucket of a key that sets none of its own. */
  readonly defaultCostBudget: CostBudgetSpec;
  /** One bucket per workspace, above its keys' own. */
  readonly workspaceCostBudget: CostBudgetSpec;
  /** False only to measure what cost analysis costs (`npm run bench`): the server then warns at start that nothing bounds a query. */
  readonly isCostAnalysisEnabled: boolean;
  /** The origin clients reach this gateway at, for links it hands out (export downloads); the listening address when unset. */
  readonly publicUrl: string | undefined;
  readonly bulkExports: {
    /** A RUNNING export silent for this long is resumed by another run (its process died). */
    readonly leaseMs: number;
    /** How long a completed export's file is kept. */
    readonly fileRetentionMs: number;
    /** Exports this instance runs at once; 0 leaves them to other instances (API-only instances). */
    readonly concurrency: number;
  };
}

export interface HttpTimeouts {
  /**
   * How long an idle keep-alive connection stays open. Above the idle timeout of the load
   * balancers in front (AWS ALB: 60 s), so that they, not we, close idle connections: otherwise
   * one may send a request on a socket we are closing and answer its client 502.
   */
  readonly keepAliveTimeoutMs: number;
  /** Time to receive a request's headers; above keep-alive, as Node requires for the same race. */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request (headers and body), so that a slow sender cannot hold a socket. */
  readonly requestTimeoutMs: number;
}

/** The only reader of the environment: validates it once and returns a frozen settings object. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0]);
    throw new ConfigError(`Invalid ${variable}: ${issue.message} (got ${JSON.stringify(mask(variable, present[variable]))})`);
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === 'production';
  if (isProduction && !env.API_KEY_PEPPER) {
    throw new ConfigError('Invalid API_KEY_PEPPER: required when NODE_ENV=production (32+ random characters, the same on every instance)');
  }
  if (isProduction && (env.WEBHOOK_ALLOW_HTTP || env.WEBHOOK_ALLOW_PRIVATE_NETWORKS)) {
    throw new ConfigError('Invalid WEBHOOK_ALLOW_HTTP/WEBHOOK_ALLOW_PRIVATE_NETWORKS: not allowed when NODE_ENV=production');
  }
  const retrySchedule = env.WEBHOOK_RETRY_SCHEDULE.split(',').map((part) => parseDurationMs(part));
  if (retrySchedule.length === 0 || retrySchedule.length > 20 || retrySchedule.some((delay) => delay === undefined)) {
    throw new ConfigError('Invalid WEBHOOK_RETRY_SCHEDULE: expected 1 to 20 comma-separated durations such as 0s,5s,5m,30m');
  }
  const http = httpTimeoutsOf(env);
  let trustProxy: TrustProxySetting;
  try {
    trustProxy = parseTrustProxy(env.TRUST_PROXY);
  } catch (error) {
    throw new ConfigError(`Invalid TRUST_PROXY: ${(error as Error).message}`);
  }
  const corsOrigins = corsOriginsOf(env.CORS_ORIGINS);
  return Object.freeze({
    environment: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(env.DATA_DIR),
    redisUrl: env.REDIS_URL,
    logLevel: env.LOG_LEVEL,
    trustProxy,
    corsOrigins,
    apiKeyPepper: env.API_KEY_PEPPER,
    defaultRateLimit: env.DEFAULT_RATE_LIMIT,
    refusalPaceMs: env.REFUSAL_PACE,
    maxBodyBytes: env.MAX_BODY_BYTES,
    http,
    shutdownGraceMs: env.SHUTDOWN_GRACE,
    databaseConnectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT,
    idempotencyWaitMs: env.IDEMPOTENCY_WAIT,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    statementTimeoutMs: env.STATEMENT_TIMEOUT,
    maxResponseBytes: env.MAX_RESPONSE_BYTES,
    eventRetentionMs: env.EVENT_RETENTION,
    tombstoneRetentionMs: env.TOMBSTONE_RETENTION,
    slaCheckIntervalMs: env.SLA_CHECK_INTERVAL,
    usageSpike: Object.freeze({ factor: env.USAGE_SPIKE_FACTOR, minRequests: env.USAGE_SPIKE_MIN_REQUESTS }),
    webhooks: Object.freeze({
      timeoutMs: env.WEBHOOK_TIMEOUT,
      retryScheduleMs: Object.freeze(retrySchedule as number[]),
      disableAfterMs: env.WEBHOOK_DISABLE_AFTER,
      failingAfterMs: env.WEBHOOK_FAILING_AFTER,
      pollIntervalMs: env.WEBHOOK_POLL_INTERVAL,
      isPlainHttpAllowed: env.WEBHOOK_ALLOW_HTTP,
      isPrivateNetworkAllowed: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    }),
    isIntrospectionEnabled: env.GRAPHQL_INTROSPECTION ?? !isProduction,
    isGraphiQLEnabled: env.GRAPHIQL ?? !isProduction,
    queryLimits: Object.freeze({
      maxCost: env.MAX_QUERY_COST,
      maxDepth: env.MAX_QUERY_DEPTH,
      maxAliases: env.MAX_QUERY_ALIASES,
      maxTokens: env.MAX_QUERY_TOKENS,
      maxRootFields: env.MAX_QUERY_ROOT_FIELDS,
      maxDirectives: env.MAX_QUERY_DIRECTIVES,
    }),
    defaultCostBudget: Object.freeze(env.DEFAULT_COST_BUDGET),
    workspaceCostBudget: Object.freeze(env.WORKSPACE_COST_BUDGET),
    isCostAnalysisEnabled: env.COST_ANALYSIS,
    publicUrl: env.PUBLIC_URL,
    bulkExports: Object.freeze({ leaseMs: env.BULK_EXPORT_LEASE, fileRetentionMs: env.BULK_EXPORT_FILE_RETENTION, concurrency: env.BULK_EXPORT_CONCURRENCY }),
  });
}

function corsOriginsOf(list: string): readonly string[] {
  const entries = list.split(',').map((entry) => entry.trim()).filter(Boolean);
  const origins = entries.map((entry) => {
    const origin = normalizedOrigin(entry);
    if (!origin) throw new ConfigError(`Invalid CORS_ORIGINS: "${entry}" is not an origin such as https://app.example.com (no path, no wildcard)`);
    return origin;
  });
  return Object.freeze([...new Set(origins)]);
}

function httpTimeoutsOf(env: { HTTP_KEEP_ALIVE_TIMEOUT: number; HTTP_HEADERS_TIMEOUT?: number; HTTP_REQUEST_TIMEOUT: number }): HttpTimeouts {
  const keepAliveTimeoutMs = env.HTTP_KEEP_ALIVE_TIMEOUT;
  const headersTimeoutMs = env.HTTP_HEADERS_TIMEOUT ?? keepAliveTimeoutMs + 1_000;
  if (keepAliveTimeoutMs < 1_000) throw new ConfigError('Invalid HTTP_KEEP_ALIVE_TIMEOUT: at least 1s');
  if (headersTimeoutMs <= keepAliveTimeoutMs) throw new ConfigError('Invalid HTTP_HEADERS_TIMEOUT: must be longer than HTTP_KEEP_ALIVE_TIMEOUT');
  if (env.HTTP_REQUEST_TIMEOUT < headersTimeoutMs) throw new ConfigError('Invalid HTTP_REQUEST_TIMEOUT: must be at least HTTP_HEADERS_TIMEOUT');
  return Object.freeze({ keepAliveTimeoutMs, headersTimeoutMs, requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT });
}

const secretVariables = new Set(['API_KEY_PEPPER', 'DATABASE_URL', 'REDIS_URL']);

function mask(variable: string, value: string | undefined): string | undefined {
  return secretVariables.has(variable) && value !== undefined ? '***' : value;
}
