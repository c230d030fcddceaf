import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, host: '127.0.0.1', databaseUrl: undefined, isProduction: false, isIntrospectionEnabled: true, trustProxy: { kind: 'none' } });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid PORT: /],
    [{ PORT: '70000' }, /^Invalid PORT: /],
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid DATABASE_URL: .*\(got "\*\*\*"\)$/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid LOG_LEVEL: /],
    [{ TRUST_PROXY: 'maybe' }, /^Invalid TRUST_PROXY: /],
    [{ SHUTDOWN_GRACE: 'soon' }, /^Invalid SHUTDOWN_GRACE: /],
    [{ STATEMENT_TIMEOUT: 'forever' }, /^Invalid STATEMENT_TIMEOUT: /],
    [{ MAX_RESPONSE_BYTES: '10' }, /^Invalid MAX_RESPONSE_BYTES: /],
    [{ DATABASE_POOL_SIZE: '1' }, /^Invalid DATABASE_POOL_SIZE: /],
    [{ NODE_ENV: 'production' }, /^Invalid API_KEY_PEPPER: required when NODE_ENV=production/],
    [{ HTTP_KEEP_ALIVE_TIMEOUT: 'forever' }, /^Invalid HTTP_KEEP_ALIVE_TIMEOUT: /],
    [{ HTTP_KEEP_ALIVE_TIMEOUT: '70s', HTTP_HEADERS_TIMEOUT: '60s' }, /^Invalid HTTP_HEADERS_TIMEOUT: must be longer than HTTP_KEEP_ALIVE_TIMEOUT/],
    [{ HTTP_REQUEST_TIMEOUT: '30s' }, /^Invalid HTTP_REQUEST_TIMEOUT: must be at least HTTP_HEADERS_TIMEOUT/],
    [{ MAX_QUERY_COST: '0' }, /^Invalid MAX_QUERY_COST: /],
    [{ MAX_QUERY_DEPTH: 'deep' }, /^Invalid MAX_QUERY_DEPTH: /],
    [{ DEFAULT_COST_BUDGET: '2000' }, /^Invalid DEFAULT_COST_BUDGET: /],
    [{ WORKSPACE_COST_BUDGET: '10000/0' }, /^Invalid WORKSPACE_COST_BUDGET: /],
  ])('refuses %j with one line naming the variable', (environment, message) => {
    expect(() => loadConfig(environment)).toThrow(ConfigError);
    expect(() => loadConfig(environment)).toThrow(message);
    try {
      loadConfig(environment);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('turns durations and flags into numbers and booleans with units in their names', () => {
    const config = loadConfig({ SHUTDOWN_GRACE: '2s', DATABASE_CONNECT_TIMEOUT: '500ms', GRAPHQL_INTROSPECTION: 'false', TRUST_PROXY: '2', STATEMENT_TIMEOUT: '30s' });
    expect(config).toMatchObject({ shutdownGraceMs: 2000, databaseConnectTimeoutMs: 500, isIntrospectionEnabled: false, trustProxy: { kind: 'hops', hops: 2 }, statementTimeoutMs: 30_000 });
    expect(loadConfig({})).toMatchObject({ statementTimeoutMs: 10_000, maxResponseBytes: 10_485_760, databasePoolSize: 10, refusalPaceMs: 1_000 });
    expect(loadConfig({ REFUSAL_PACE: '0' }).refusalPaceMs).toBe(0);
  });

  it('bounds every operation and every key and workspace by default (docs/cost.md says why each figure)', () => {
    expect(loadConfig({})).toMatchObject({
      queryLimits: { maxCost: 2000, maxDepth: 12, maxAliases: 30, maxTokens: 2000, maxRootFields: 20, maxDirectives: 50 },
      defaultCostBudget: { maximumAvailable: 2000, restoreRate: 100 },
      workspaceCostBudget: { maximumAvailable: 10_000, restoreRate: 500 },
      isCostAnalysisEnabled: true,
    });
    expect(loadConfig({ MAX_QUERY_COST: '500', DEFAULT_COST_BUDGET: '50/5', COST_ANALYSIS: 'false' })).toMatchObject({
      queryLimits: { maxCost: 500 },
      defaultCostBudget: { maximumAvailable: 50, restoreRate: 5 },
      isCostAnalysisEnabled: false,
    });
  });

  it('keeps idle HTTP connections open longer than load balancers do (65 s), with headers allowed a second more', () => {
    expect(loadConfig({}).http).toEqual({ keepAliveTimeoutMs: 65_000, headersTimeoutMs: 66_000, requestTimeoutMs: 120_000 });
    expect(loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT: '350s', HTTP_REQUEST_TIMEOUT: '10m' }).http).toEqual({ keepAliveTimeoutMs: 350_000, headersTimeoutMs: 351_000, requestTimeoutMs: 600_000 });
  });

  it('never echoes a secret value in its error', () => {
    expect(() => loadConfig({ API_KEY_PEPPER: 'short-secret' })).toThrow(/got "\*\*\*"/);
  });
});
