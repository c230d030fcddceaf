import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildChildEnvironment, findFreePort, runGatewayCommand } from '../support/gateway-process';
import { postGraphQL } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { startGateway, testPepper, type TestGateway } from '../support/start-gateway';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const viewerQuery = /* GraphQL */ `query Viewer { viewer { apiKey { id } } }`;

describe('gateway serve refuses to start with one line on stderr', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gateway-faults-'));
  });
  afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

  it('an unreachable PostgreSQL exits 1 with one line naming PostgreSQL and its host:port, and no stack trace', async () => {
    // Given a DATABASE_URL whose port nothing listens on
    const closedPort = await findFreePort();
    const environment = buildChildEnvironment({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/x`,
      DATABASE_CONNECT_TIMEOUT: '1s',
      DATA_DIR: dataDir,
      PORT: String(await findFreePort()),
      API_KEY_PEPPER: testPepper,
    });

    // When the gateway starts
    const result = await runGatewayCommand(['serve'], environment);

    // Then it exits 1 with exactly one stderr line an operator can act on
    expect(result.exitCode).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gateway: /);
    expect(lines[0]).toContain('PostgreSQL');
    expect(lines[0]).toContain(`127.0.0.1:${closedPort}`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('an invalid PORT exits 1 with one line naming PORT', async () => {
    const environment = buildChildEnvironment({ PORT: 'abc', DATA_DIR: dataDir });

    const result = await runGatewayCommand(['serve'], environment);

    expect(result.exitCode).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gateway: .*\bPORT\b/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('a PostgreSQL outage while the gateway runs', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let gateway: TestGateway;

  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    gateway = await startGateway({ database, env: { DATABASE_URL: proxy.urlThrough(database.url) } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await proxy?.close();
    await database?.drop();
  });

  it('requests fail fast with a retryable 503 while PostgreSQL is away, the process stays up, and requests succeed once it is back', async () => {
    // Given a gateway answering through a database connection that works
    expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: gateway.adminSecret })).status).toBe(200);

    // When PostgreSQL goes away (open connections dropped, new ones refused)
    await proxy.cut();

    // Then each request is answered with a retryable 503, not left hanging
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: gateway.adminSecret });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors![0].extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', isRetryable: true });
      expect(response.body.errors![0].extensions.requestId).toBe(response.headers.get('x-request-id'));
      expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|select |at .*\.js/i);
    }

    // And the process stays up
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(503);

    // When PostgreSQL is back
    await proxy.restore();

    // Then requests succeed again once the pool has reconnected
    const recovered = await pollUntil(
      async () => {
        const response = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: gateway.adminSecret });
        return response.status === 200 && response;
      },
      { timeoutMs: 10_000, description: 'a request to succeed after PostgreSQL came back' },
    );
    expect(recovered.body.data!.viewer.apiKey.id).toMatch(/^key_/);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
  });
});
