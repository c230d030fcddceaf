import { Client } from 'pg';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

describe('PROD: production mode reveals nothing about the internals', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ env: { NODE_ENV: 'production' } });
  });
  afterAll(() => gateway.stop());

  const asAdmin = (query: string) => postGraphQL(gateway.graphqlUrl, query, {}, { secret: gateway.adminSecret });

  it('PROD-01 introspection is disabled unless GRAPHQL_INTROSPECTION enables it', async () => {
    const response = await asAdmin('{ __schema { types { name } } }');
    expect(response.status).toBe(400);
    expect(response.body.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.data).toBeUndefined();
  });

  it('PROD-02 validation errors make no "Did you mean" suggestions', async () => {
    const response = await asAdmin('{ viewr { scopes } }');
    expect(response.body.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors![0].message).not.toMatch(/Did you mean/);
  });

  it('PROD-03 an unexpected failure is INTERNAL_SERVER_ERROR with a request id and no SQL, stack or path', async () => {
    const database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    await database.query('drop table audit_entries');
    await database.end();
    const response = await asAdmin('{ viewer { apiKey { id } } auditLog { nodes { id } } }');
    expect(response.status).toBe(200);
    expect(response.body.data!.viewer.apiKey.id).toMatch(/^key_/);
    const [error] = response.body.errors!;
    expect(error).toEqual({
      message: 'Internal server error',
      path: ['auditLog'],
      locations: expect.any(Array),
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: response.headers.get('x-request-id') },
    });
    expect(JSON.stringify(response.body)).not.toMatch(/audit_entries|select|\.ts|\/work|at /i);
  });
});

describe('OPS: health, readiness and metrics', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  it('OPS-01 /healthz and /readyz answer 200 once migrations are applied', async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('OPS-02 /metrics counts GraphQL requests by operation and outcome', async () => {
    await postGraphQL(gateway.graphqlUrl, 'query MetricsProbe { viewer { scopes } }', {}, { secret: gateway.adminSecret });
    await postGraphQL(gateway.graphqlUrl, 'query MetricsDenied { apiKey(id: "key_x") { id } }', {}, { secret: gateway.adminSecret });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_graphql_requests_total\{operation="MetricsProbe",outcome="ok"\} 1/);
    expect(metrics).toMatch(/gateway_graphql_requests_total\{operation="MetricsDenied",outcome="NOT_FOUND"\} 1/);
    expect(metrics).toMatch(/gateway_graphql_request_duration_seconds_bucket\{le="[0-9.]+",operation="MetricsProbe",outcome="ok"\}/);
  });
});
