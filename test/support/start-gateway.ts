import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/platform/observability/logger';
import { startGatewayApp, type GatewayApp } from '../../src/server/gateway-app';
import { createTestDatabase, type TestDatabase } from './test-database';

/** A bucket no test empties unless it means to. */
export const generousCostBudget = '10000000/1000000';

export const testPepper = 'test-pepper-0123456789abcdef0123456789abcdef';

export interface TestGateway {
  readonly app: GatewayApp;
  readonly url: string;
  readonly graphqlUrl: string;
  /** The bootstrap admin key's secret. */
  readonly adminSecret: string;
  readonly databaseUrl: string;
  stop(): Promise<void>;
}

export interface StartGatewayOptions {
  /** Environment variables on top of the test defaults. */
  readonly env?: Record<string, string>;
  /** Share another gateway's database instead of creating one (multi-instance tests). */
  readonly database?: TestDatabase;
  /** Collect every log line (at debug level) instead of discarding them. */
  readonly logLines?: string[];
}

/** A real gateway on a random port over a fresh database; `stop()` removes both. */
export async function startGateway(options: StartGatewayOptions = {}): Promise<TestGateway> {
  const ownsDatabase = options.database === undefined;
  const database = options.database ?? (await createTestDatabase());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gateway-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    API_KEY_PEPPER: testPepper,
    SHUTDOWN_GRACE: '5s',
    DATABASE_CONNECT_TIMEOUT: '1s',
    // Most files drive one admin key far harder than an integrator would; the cost tests set budgets of their own.
    DEFAULT_COST_BUDGET: generousCostBudget,
    WORKSPACE_COST_BUDGET: generousCostBudget,
    ...options.env,
  });
  const loggerOptions = { isProduction: config.isProduction };
  const logger = options.logLines
    ? createLogger('debug', { write: (line: string) => void options.logLines!.push(line) }, loggerOptions)
    : createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', undefined, loggerOptions);
  const app = await startGatewayApp(config, options.env?.DATABASE_URL ?? database.url, logger);
  return {
    app,
    url: app.url,
    graphqlUrl: `${app.url}/graphql`,
    adminSecret: app.bootstrapKey?.secret ?? '',
    databaseUrl: database.url,
    async stop() {
      await app.close();
      if (ownsDatabase) await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
