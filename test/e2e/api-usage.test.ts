import { createApiKey } from '../support/api-keys';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const figures = 'requests errors errorRate rateLimited cost meanLatencyMs latencyP50Ms latencyP95Ms latencyP99Ms errorsByCode { code count }';
const usageFields = `totals { ${figures} } byOperation { operation figures { ${figures} } } points { start end figures { requests } }`;
const performanceQuery = `query Performance($range: AnalyticsRange!) { analytics { performance(range: $range, interval: HOUR) { ${usageFields} } } }`;
const keyUsageQuery = `query KeyUsage($id: ID!, $range: AnalyticsRange!) { apiKey(id: $id) { usage(range: $range, interval: HOUR) { ${usageFields} } } }`;

describe('USAGE: the gateway records its own request figures per key, off the request path', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  const range = () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    return { from: new Date(hour - 3_600_000).toISOString(), to: new Date(hour + 3_600_000).toISOString() };
  };

  it('USAGE-01 performance and apiKey.usage count requests, errors by code, rate-limited requests and cost, per operation and per hour, within the workspace', async () => {
    const admin = gateway.adminSecret;
    const limited = await createApiKey(gateway.graphqlUrl, admin, { name: 'limited', scopes: ['conversations:read'], rateLimit: { requests: 2, windowSeconds: 60 } });
    const other = await createWorkspaceKey(gateway, 'usage-elsewhere', ['conversations:read']);
    for (let index = 0; index < 5; index++) await postGraphQL(gateway.graphqlUrl, 'query Pages { conversations(first: 1) { nodes { id } } }', {}, { secret: admin });
    for (let index = 0; index < 2; index++) await postGraphQL(gateway.graphqlUrl, 'query Bad { conversations(first: 500) { nodes { id } } }', {}, { secret: admin });
    const limitedStatuses = [];
    for (let index = 0; index < 3; index++) {
      limitedStatuses.push((await postGraphQL(gateway.graphqlUrl, 'query Limited { conversations(first: 1) { nodes { id } } }', {}, { secret: limited.secret })).status);
    }
    expect(limitedStatuses).toEqual([200, 200, 429]);
    for (let index = 0; index < 3; index++) await postGraphQL(gateway.graphqlUrl, 'query Elsewhere { conversations(first: 1) { nodes { id } } }', {}, { secret: other.secret });
    await gateway.app.usage.flush();

    const performance = (await postGraphQL(gateway.graphqlUrl, performanceQuery, { range: range() }, { secret: admin })).body.data!.analytics.performance;
    const operation = (name: string) => performance.byOperation.find((entry: { operation: string }) => entry.operation === name)?.figures;
    expect(operation('Pages')).toMatchObject({ requests: 5, errors: 0, errorRate: 0, rateLimited: 0, cost: 5, errorsByCode: [] });
    // Cost is the actual cost in points (docs/cost.md): a page refused BAD_USER_INPUT returned nothing, so cost nothing.
    expect(operation('Bad')).toMatchObject({ requests: 2, errors: 2, errorRate: 1, cost: 0, errorsByCode: [{ code: 'BAD_USER_INPUT', count: 2 }] });
    expect(operation('Limited')).toMatchObject({ requests: 3, errors: 1, rateLimited: 1, cost: 2, errorsByCode: [{ code: 'RATE_LIMITED', count: 1 }] });
    expect(operation('Elsewhere')).toBeUndefined();
    const pages = operation('Pages');
    expect(pages.latencyP50Ms).toBeGreaterThan(0);
    expect(pages.latencyP99Ms).toBeGreaterThanOrEqual(pages.latencyP50Ms);
    expect(performance.points).toHaveLength(2);
    expect(performance.points.reduce((sum: number, point: { figures: { requests: number } }) => sum + point.figures.requests, 0)).toBe(performance.totals.requests);
    expect(performance.totals.requests).toBe(performance.byOperation.reduce((sum: number, entry: { figures: { requests: number } }) => sum + entry.figures.requests, 0));

    const usage = (await postGraphQL(gateway.graphqlUrl, keyUsageQuery, { id: limited.id, range: range() }, { secret: admin })).body.data!.apiKey.usage;
    expect(usage.totals).toMatchObject({ requests: 3, errors: 1, rateLimited: 1, cost: 2 });
    expect(usage.byOperation.map((entry: { operation: string }) => entry.operation)).toEqual(['Limited']);
  });

  it('USAGE-02 recording adds no SQL statement to a request: figures are written later, in one batch, on a connection of their own', async () => {
    const statements = async () => Number(/^gateway_sql_statements_total (\d+)$/m.exec(await (await fetch(`${gateway.url}/metrics`)).text())![1]);
    const ask = () => postGraphQL(gateway.graphqlUrl, 'query Counted { conversations(first: 1) { nodes { id } } }', {}, { secret: gateway.adminSecret });
    await ask();
    const before = await statements();
    for (let index = 0; index < 10; index++) await ask();
    const perRequest = ((await statements()) - before) / 10;
    await gateway.app.usage.flush();
    expect((await statements()) - before).toBe(perRequest * 10);
    const performance = (await postGraphQL(gateway.graphqlUrl, performanceQuery, { range: range() }, { secret: gateway.adminSecret })).body.data!.analytics.performance;
    expect(performance.byOperation.find((entry: { operation: string }) => entry.operation === 'Counted').figures.requests).toBe(11);
  });
});
