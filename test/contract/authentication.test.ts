import { Client } from 'pg';
import { createApiKey } from '../support/api-keys';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const viewerQuery = /* GraphQL */ `query Viewer { viewer { apiKey { id } } }`;
const revokeMutation = /* GraphQL */ `mutation Revoke($id: ID!) { apiKeyRevoke(input: { id: $id }) { apiKey { id status revokedAt } } }`;

describe('AUTH: every request needs a live API key', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  const expectUnauthenticated = async (headers: Record<string, string>, message: RegExp) => {
    const response = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    expect(response.body.errors![0].message).toMatch(message);
    expect(response.body.errors![0].extensions.requestId).toBe(response.headers.get('x-request-id'));
    expect(response.body.data).toBeUndefined();
  };

  it('AUTH-01 a request without an Authorization header is 401 UNAUTHENTICATED', async () => {
    await expectUnauthenticated({}, /Missing API key/);
  });

  it('AUTH-10 X-API-Key carries a key as Authorization does, over HTTP and SSE alike; an invalid one is 401; both headers at once are refused', async () => {
    const viaHeader = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { headers: { 'x-api-key': gateway.adminSecret } });
    expect(viaHeader.status).toBe(200);
    const viaBearer = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: gateway.adminSecret });
    expect(viaHeader.body.data).toEqual(viaBearer.body.data);
    const openStream = (apiKey: string) => fetch(`${gateway.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': apiKey },
      body: JSON.stringify({ query: 'subscription { events { id } }' }),
    });
    const [accepted, refused] = [await openStream(gateway.adminSecret), await openStream('sgw_aaaaaaaaaaaaaaaaaaaa_' + 'A'.repeat(43))];
    await accepted.body?.cancel();
    expect([accepted.status, refused.status]).toEqual([200, 401]);
    await expectUnauthenticated({ 'x-api-key': 'sgw_aaaaaaaaaaaaaaaaaaaa_' + 'A'.repeat(43) }, /Invalid API key/);
    await expectUnauthenticated({ 'x-api-key': gateway.adminSecret, authorization: `Bearer ${gateway.adminSecret}` }, /Send the key once/);
  });

  it('AUTH-02 a malformed Authorization header is 401', async () => {
    await expectUnauthenticated({ authorization: 'Basic dXNlcjpwYXNz' }, /Malformed/);
  });

  it('AUTH-03 an unknown key is 401, and a known key id with a wrong secret is 401 too', async () => {
    await expectUnauthenticated({ authorization: 'Bearer sgw_aaaaaaaaaaaaaaaaaaaa_' + 'A'.repeat(43) }, /Invalid API key/);
    const knownId = gateway.adminSecret.split('_')[1];
    await expectUnauthenticated({ authorization: `Bearer sgw_${knownId}_${'B'.repeat(43)}` }, /Invalid API key/);
  });

  it('AUTH-04 an expired key is 401', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'], expiresAt: new Date(Date.now() + 60_000).toISOString() });
    const database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    await database.query(`update api_keys set expires_at = now() - interval '1 second' where id = $1`, [key.id]);
    await database.end();
    await expectUnauthenticated({ authorization: `Bearer ${key.secret}` }, /expired/);
  });

  it('AUTH-05 a revoked key is refused on its very next request to the instance that revoked it, without waiting for PostgreSQL’s announcement', async () => {
    const revokedHere = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] });
    const revokedElsewhere = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] });
    for (const key of [revokedHere, revokedElsewhere]) expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret })).status).toBe(200);
    const database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    // With the change trigger off, no NOTIFY reaches the cache: only the revoker's own invalidation can refuse the key.
    await database.query('alter table api_keys disable trigger api_keys_announce_change');
    try {
      await database.query('update api_keys set revoked_at = now() where id = $1', [revokedElsewhere.id]);
      expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: revokedElsewhere.secret })).status).toBe(200);

      const revoked = await postGraphQL(gateway.graphqlUrl, revokeMutation, { id: revokedHere.id }, { secret: gateway.adminSecret });
      expect(revoked.body.data!.apiKeyRevoke.apiKey.status).toBe('REVOKED');
      await expectUnauthenticated({ authorization: `Bearer ${revokedHere.secret}` }, /revoked/);
    } finally {
      await database.query('alter table api_keys enable trigger api_keys_announce_change');
      await database.end();
    }
  });

  it('AUTH-06 a valid key is answered, with X-Request-Id echoed when the caller sends one', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: gateway.adminSecret, headers: { 'x-request-id': 'client-chosen-id-123' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('client-chosen-id-123');
    expect(response.body.data!.viewer.apiKey.id).toMatch(/^key_/);
  });
});
