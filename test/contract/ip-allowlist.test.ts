import { apiKeyCreateMutation, createApiKey } from '../support/api-keys';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const viewerQuery = /* GraphQL */ `query Viewer { viewer { apiKey { id } } }`;

describe('IP: a key with an allowlist answers only from its networks', () => {
  let gateway: TestGateway;
  let proxied: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
    proxied = await startGateway({ env: { TRUST_PROXY: '127.0.0.1/32' } });
  });
  afterAll(async () => {
    await gateway.stop();
    await proxied.stop();
  });

  it('IP-01 a request from outside the allowlist is 403 FORBIDDEN', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'], allowedCidrs: ['10.0.0.0/8', '2001:db8::/32'] });
    const response = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret });
    expect(response.status).toBe(403);
    expect(response.body.errors![0].extensions.code).toBe('FORBIDDEN');
    expect(response.body.errors![0].message).toMatch(/127\.0\.0\.1/);
  });

  it('IP-02 a spoofed X-Forwarded-For is ignored when TRUST_PROXY is off', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'], allowedCidrs: ['10.0.0.0/8'] });
    const response = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret, headers: { 'x-forwarded-for': '10.1.2.3' } });
    expect(response.status).toBe(403);
  });

  it('IP-03 a request from inside the allowlist is answered', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'], allowedCidrs: ['127.0.0.0/8'] });
    expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret })).status).toBe(200);
  });

  it('IP-04 behind a trusted proxy the forwarded client address decides', async () => {
    const key = await createApiKey(proxied.graphqlUrl, proxied.adminSecret, { scopes: ['keys:read'], allowedCidrs: ['10.0.0.0/8'] });
    const inside = await postGraphQL(proxied.graphqlUrl, viewerQuery, {}, { secret: key.secret, headers: { 'x-forwarded-for': '10.1.2.3' } });
    const outside = await postGraphQL(proxied.graphqlUrl, viewerQuery, {}, { secret: key.secret, headers: { 'x-forwarded-for': '192.0.2.7' } });
    expect(inside.status).toBe(200);
    expect(outside.status).toBe(403);
  });

  it('IP-05 an invalid CIDR is BAD_USER_INPUT naming the entry', async () => {
    const response = await postGraphQL(
      gateway.graphqlUrl,
      `mutation { apiKeyCreate(input: { name: "n", scopes: ["keys:read"], allowedCidrs: ["10.0.0.0/8", "10.0.0.300/8"] }) { secret } }`,
      {},
      { secret: gateway.adminSecret },
    );
    expect(response.body.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ field: 'input.allowedCidrs.1', message: expect.stringContaining('10.0.0.300/8') }],
    });
  });

  it('IP-06 an entry with trailing garbage, or an IPv4-mapped network shorter than /96, is refused and no key is made', async () => {
    const input = { name: 'fail-open edges', scopes: ['keys:read'], allowedCidrs: ['10.0.0.0/8x', '::ffff:10.0.0.0/8', '127.0.0.0/8'] };
    const response = await postGraphQL(gateway.graphqlUrl, apiKeyCreateMutation, { input }, { secret: gateway.adminSecret });
    expect(response.body.data!.apiKeyCreate).toBeNull();
    expect(response.body.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [
        { field: 'input.allowedCidrs.0', message: expect.stringContaining('10.0.0.0/8x') },
        { field: 'input.allowedCidrs.1', message: expect.stringContaining('::ffff:10.0.0.0/8') },
      ],
    });
    const keys = await postGraphQL(gateway.graphqlUrl, `{ apiKeys(first: 100) { nodes { name } } }`, {}, { secret: gateway.adminSecret });
    expect(keys.body.data!.apiKeys.nodes).not.toContainEqual({ name: 'fail-open edges' });
  });
});
