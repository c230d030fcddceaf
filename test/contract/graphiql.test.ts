import { startGateway, type TestGateway } from '../support/start-gateway';

const browserHeaders = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const productionEnv = { NODE_ENV: 'production', API_KEY_PEPPER: 'production-pepper-0123456789abcdef0123456789' };

describe('GRAPHIQL: a local GraphiQL for the first hour', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  it('GRAPHIQL-01 a browser opening /graphql gets GraphiQL, whose script and styles come from the gateway itself', async () => {
    const page = await fetch(gateway.graphqlUrl, { headers: browserHeaders });
    const html = await page.text();

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(sources.sort()).toEqual(['/graphiql/graphiql.css', '/graphiql/graphiql.js']);
    for (const source of sources) {
      const asset = await fetch(`${gateway.url}${source}`);
      expect([source, asset.status]).toEqual([source, 200]);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    }
    const script = await (await fetch(`${gateway.url}/graphiql/graphiql.js`)).text();
    // The headers editor, and graphql-ws for subscriptions, are in the bundle.
    expect(script).toContain('Authorization');
    expect(script).toContain('graphql-transport-ws');
  });

  it('GRAPHIQL-02 a GET asking for JSON, or carrying a query, is still GraphQL over HTTP', async () => {
    const json = await fetch(gateway.graphqlUrl, { headers: { accept: 'application/json' } });
    const withQuery = await fetch(`${gateway.graphqlUrl}?query=${encodeURIComponent('{ viewer { scopes } }')}`, { headers: browserHeaders });

    expect(json.status).toBe(401);
    expect(withQuery.status).toBe(401);
    expect(withQuery.headers.get('content-type')).not.toMatch(/^text\/html/);
  });

  it('GRAPHIQL-03 in production it is off unless GRAPHIQL=true', async () => {
    const production = await startGateway({ env: productionEnv });
    const optedIn = await startGateway({ env: { ...productionEnv, GRAPHIQL: 'true' } });
    try {
      const off = await fetch(production.graphqlUrl, { headers: browserHeaders });
      const asset = await fetch(`${production.url}/graphiql/graphiql.js`);
      const on = await fetch(optedIn.graphqlUrl, { headers: browserHeaders });

      expect(off.headers.get('content-type')).not.toMatch(/^text\/html/);
      expect(asset.status).toBe(404);
      expect([on.status, on.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    } finally {
      await production.stop();
      await optedIn.stop();
    }
  });
});
