import { Client } from 'pg';
import { createApiKey } from '../support/api-keys';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const createWithViewer = /* GraphQL */ `
  mutation CreateWithViewer($input: ApiKeyCreateInput!) {
    apiKeyCreate(input: $input) { secret apiKey { id } }
  }
`;
const viewerAndKeys = /* GraphQL */ `query ViewerAndKeys { viewer { apiKey { id } } apiKeys(first: 5) { totalCount } }`;

describe('SCOPE: @requiresScopes is declared once and enforced from that declaration', () => {
  let gateway: TestGateway;
  let database: Client;
  beforeAll(async () => {
    gateway = await startGateway();
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await database.end();
    await gateway.stop();
  });

  const countKeys = async () => Number((await database.query('select count(*) from api_keys')).rows[0].count);

  it('SCOPE-01 a field whose scope is missing is null with FORBIDDEN, and the rest of the response stands', async () => {
    const reader = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['audit:read'] });
    const response = await postGraphQL(gateway.graphqlUrl, viewerAndKeys, {}, { secret: reader.secret });
    expect(response.status).toBe(200);
    expect(response.body.data!.viewer.apiKey.id).toBe(reader.id);
    expect(response.body.data!.apiKeys).toBeNull();
    const [error] = response.body.errors!;
    expect(error.path).toEqual(['apiKeys']);
    expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['keys:read']], grantedScopes: ['audit:read'] });
    expect(error.extensions.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('SCOPE-02 a denied mutation has no side effect', async () => {
    const reader = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] });
    const before = await countKeys();
    const response = await postGraphQL(gateway.graphqlUrl, createWithViewer, { input: { name: 'sneaky', scopes: ['keys:read'] } }, { secret: reader.secret });
    expect(response.body.data!.apiKeyCreate).toBeNull();
    expect(response.body.errors![0].extensions.code).toBe('FORBIDDEN');
    expect(await countKeys()).toBe(before);
  });

  it('SCOPE-03 a key cannot create a key with a scope it does not hold', async () => {
    const writer = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:write', 'keys:read'] });
    const before = await countKeys();
    const response = await postGraphQL(gateway.graphqlUrl, createWithViewer, { input: { name: 'wider', scopes: ['keys:read', 'admin'] } }, { secret: writer.secret });
    expect(response.body.data!.apiKeyCreate).toBeNull();
    expect(response.body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['admin']], grantedScopes: ['keys:write', 'keys:read'] });
    expect(await countKeys()).toBe(before);
  });

  it('SCOPE-04 a key cannot widen, rotate or revoke a key holding scopes it lacks', async () => {
    const writer = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:write'] });
    const own = await createApiKey(gateway.graphqlUrl, writer.secret, { scopes: ['keys:write'] });
    const widen = await postGraphQL(
      gateway.graphqlUrl,
      `mutation Widen($id: ID!) { apiKeyUpdate(input: { id: $id, scopes: ["keys:write", "audit:read"] }) { apiKey { scopes } } }`,
      { id: own.id },
      { secret: writer.secret },
    );
    expect(widen.body.errors![0].extensions.code).toBe('FORBIDDEN');
    const adminKeyId = (await database.query(`select id from api_keys where created_by = 'bootstrap'`)).rows[0].id;
    const rotate = await postGraphQL(gateway.graphqlUrl, `mutation R($id: ID!) { apiKeyRotate(input: { id: $id }) { secret } }`, { id: adminKeyId }, { secret: writer.secret });
    expect(rotate.body.data!.apiKeyRotate).toBeNull();
    expect(rotate.body.errors![0].extensions.code).toBe('FORBIDDEN');
    const scopesAfter = (await database.query('select scopes from api_keys where id = $1', [own.id])).rows[0].scopes;
    expect(scopesAfter).toEqual(['keys:write']);
  });

  it('SCOPE-05 the admin scope holds every scope', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, viewerAndKeys, {}, { secret: gateway.adminSecret });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.apiKeys.totalCount).toBeGreaterThan(0);
  });
});
