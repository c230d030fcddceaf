import { Client } from 'pg';
import { createApiKey } from '../support/api-keys';
import { postGraphQL } from '../support/graphql-client';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { pollUntil } from '../support/poll-until';
import { startGateway, type TestGateway } from '../support/start-gateway';

const viewerQuery = /* GraphQL */ `query Viewer { viewer { apiKey { id } workspace { slug } } }`;
const rotateMutation = /* GraphQL */ `
  mutation Rotate($id: ID!, $grace: Int!) {
    apiKeyRotate(input: { id: $id, previousSecretExpiresInSeconds: $grace }) { secret apiKey { id previousSecretExpiresAt } }
  }
`;
const updateMutation = /* GraphQL */ `
  mutation Update($input: ApiKeyUpdateInput!) {
    apiKeyUpdate(input: $input) { apiKey { id name scopes allowedCidrs rateLimit { requests windowSeconds } expiresAt } }
  }
`;
const keyQuery = /* GraphQL */ `query Key($id: ID!) { apiKey(id: $id) { id name status lastUsedAt createdBy } }`;
const keysPageQuery = /* GraphQL */ `
  query Keys($first: Int, $after: String, $last: Int, $before: String) {
    apiKeys(first: $first, after: $after, last: $last, before: $before) {
      totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;
const auditQuery = /* GraphQL */ `query Audit { auditLog(first: 100) { nodes { action actor actorIp requestId targetId changes } } }`;

describe('KEY: API key lifecycle over GraphQL', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  const asAdmin = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });

  it('KEY-01 creation returns the secret once; reading the key never shows it', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] });
    expect(key.secret).toMatch(/^sgw_[a-z0-9]{20}_[A-Za-z0-9]{43}$/);
    expect(key.secret).toContain(key.id.slice('key_'.length));
    const read = await asAdmin(keyQuery, { id: key.id });
    expect(read.body.data!.apiKey).toMatchObject({ id: key.id, status: 'ACTIVE', createdBy: expect.stringMatching(/^key_/) });
    expect(JSON.stringify(read.body)).not.toContain(key.secret.split('_').at(-1));
  });

  it('KEY-12 create, update and rotate take an idempotencyKey: a retry gives back the first answer, its secret included, and no column ever holds that secret in clear', async () => {
    const createMutation = `mutation C($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret apiKey { id name } } }`;
    const createInput = { name: 'KEY-12', scopes: ['keys:read'], idempotencyKey: 'key-12-create' };
    const created = await asAdmin(createMutation, { input: createInput });
    const createdAgain = await asAdmin(createMutation, { input: createInput });
    const { id } = created.body.data!.apiKeyCreate.apiKey;
    const rotateInput = { id, previousSecretExpiresInSeconds: 0, idempotencyKey: 'key-12-rotate' };
    const rotateKeyed = `mutation R($input: ApiKeyRotateInput!) { apiKeyRotate(input: $input) { secret apiKey { id } } }`;
    const rotated = await asAdmin(rotateKeyed, { input: rotateInput });
    const rotatedAgain = await asAdmin(rotateKeyed, { input: rotateInput });
    const updateInput = { id, name: 'KEY-12 renamed', idempotencyKey: 'key-12-update' };
    const updated = await asAdmin(updateMutation, { input: updateInput });
    const updatedAgain = await asAdmin(updateMutation, { input: { ...updateInput } });

    expect(createdAgain.body.data).toEqual(created.body.data);
    expect(createdAgain.body.extensions).toMatchObject({ idempotency: { replayed: true } });
    expect(rotatedAgain.body.data).toEqual(rotated.body.data);
    expect(rotatedAgain.body.extensions).toMatchObject({ idempotency: { replayed: true } });
    expect(updatedAgain.body.extensions).toMatchObject({ idempotency: { replayed: true } });
    expect(updatedAgain.body.data).toEqual(updated.body.data);
    const keys = (await asAdmin(`{ apiKeys(first: 100) { nodes { name } } }`)).body.data!.apiKeys.nodes.filter((node: { name: string }) => node.name.startsWith('KEY-12'));
    expect(keys).toHaveLength(1);
    const secrets = [created.body.data!.apiKeyCreate.secret, rotated.body.data!.apiKeyRotate.secret];
    expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: secrets[1] })).body.data!.viewer.apiKey.id).toBe(id);
    const database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    try {
      const dump = (await database.query(`select (select coalesce(json_agg(r), '[]') from idempotency_records r)::text || (select coalesce(json_agg(k), '[]') from api_keys k)::text
        || (select coalesce(json_agg(a), '[]') from audit_entries a)::text || (select coalesce(json_agg(e), '[]') from events e)::text as everything`)).rows[0].everything as string;
      expect(dump).toContain('key-12-rotate');
      for (const secret of secrets) expect(dump).not.toContain(secret.split('_').at(-1));
    } finally {
      await database.end();
    }
  });

  it('KEY-02 rotation issues a new secret and keeps the old one working for the grace period', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] });
    const rotated = await asAdmin(rotateMutation, { id: key.id, grace: 3600 });
    const { secret: newSecret, apiKey } = rotated.body.data!.apiKeyRotate;
    expect(newSecret).not.toBe(key.secret);
    expect(new Date(apiKey.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now());
    expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: newSecret })).status).toBe(200);
    expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret })).status).toBe(200);
  });

  it('KEY-03 rotation without grace invalidates the old secret at once', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] });
    const rotated = await asAdmin(rotateMutation, { id: key.id, grace: 0 });
    expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret })).status).toBe(401);
    expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: rotated.body.data!.apiKeyRotate.secret })).status).toBe(200);
  });

  it('KEY-04 update changes only the given fields, and bad values name their input path', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { name: 'before', scopes: ['keys:read'] });
    const updated = await asAdmin(updateMutation, { input: { id: key.id, name: 'after', rateLimit: { requests: 10, windowSeconds: 1 } } });
    expect(updated.body.data!.apiKeyUpdate.apiKey).toMatchObject({ name: 'after', scopes: ['keys:read'], rateLimit: { requests: 10, windowSeconds: 1 } });
    const invalid = await asAdmin(updateMutation, { input: { id: key.id, name: '', scopes: ['keys:read', 'bogus'], expiresAt: '2000-01-01T00:00:00Z' } });
    expect(invalid.body.data!.apiKeyUpdate).toBeNull();
    expect(invalid.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect((invalid.body.errors![0].extensions.fieldErrors as { field: string }[]).map((error) => error.field)).toEqual([
      'input.name',
      'input.scopes.1',
      'input.expiresAt',
    ]);
  });

  it('KEY-11 a key’s cost budget is set on create, changed and reset on update, applied at once, and bad values name their path', async () => {
    const budgetOf = async (id: string) => (await asAdmin('query Budget($id: ID!) { apiKey(id: $id) { costBudget { maximumAvailable restoreRate } } }', { id })).body.data!.apiKey.costBudget;
    const bucketOf = async (secret: string) => (await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret })).body.extensions!.cost.throttleStatus;
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'], costBudget: { maximumAvailable: 300, restoreRate: 5 } });
    expect(await budgetOf(key.id)).toEqual({ maximumAvailable: 300, restoreRate: 5 });
    expect(await bucketOf(key.secret)).toMatchObject({ maximumAvailable: 300, restoreRate: 5 });

    await asAdmin(updateMutation, { input: { id: key.id, costBudget: { maximumAvailable: 40, restoreRate: 2 } } });
    expect(await budgetOf(key.id)).toEqual({ maximumAvailable: 40, restoreRate: 2 });
    expect(await bucketOf(key.secret)).toMatchObject({ maximumAvailable: 40, restoreRate: 2 });

    // null returns the key to the server's default (here the tests' generous one); the key then shows none of its own.
    await asAdmin(updateMutation, { input: { id: key.id, costBudget: null } });
    expect(await budgetOf(key.id)).toBeNull();
    expect(await bucketOf(key.secret)).toMatchObject({ maximumAvailable: 10_000_000 });

    const invalid = await asAdmin(updateMutation, { input: { id: key.id, costBudget: { maximumAvailable: 0, restoreRate: 2_000_000 } } });
    expect(invalid.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect((invalid.body.errors![0].extensions.fieldErrors as { field: string }[]).map((error) => error.field)).toEqual(['input.costBudget.maximumAvailable', 'input.costBudget.restoreRate']);
    expect(await budgetOf(key.id)).toBeNull();
  });

  it('KEY-05 keys of another workspace are invisible: NOT_FOUND exactly like ids that do not exist', async () => {
    const foreign = await createWorkspaceKey(gateway, 'other-workspace', ['admin']);
    const missing = await asAdmin(keyQuery, { id: foreign.id });
    const nonexistent = await asAdmin(keyQuery, { id: 'key_doesnotexist000000' });
    expect(missing.body.data!.apiKey).toBeNull();
    expect(missing.body.errors![0].extensions.code).toBe('NOT_FOUND');
    expect(missing.body.errors![0].message).toBe(nonexistent.body.errors![0].message);
    const revokeForeign = await asAdmin(`mutation R($id: ID!) { apiKeyRevoke(input: { id: $id }) { apiKey { id } } }`, { id: foreign.id });
    expect(revokeForeign.body.errors![0].extensions.code).toBe('NOT_FOUND');
    const foreignView = await postGraphQL(gateway.graphqlUrl, `{ viewer { workspace { slug } } apiKeys(first: 100) { nodes { id } } }`, {}, { secret: foreign.secret });
    expect(foreignView.body.data!.viewer.workspace.slug).toBe('other-workspace');
    expect(foreignView.body.data!.apiKeys.nodes).toEqual([{ id: foreign.id }]);
  });

  it('KEY-06 pages walk forward and backward over the same keys', async () => {
    for (let index = 0; index < 5; index++) await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { name: `page ${index}`, scopes: ['keys:read'] });
    const all = (await asAdmin(keysPageQuery, { first: 100 })).body.data!.apiKeys;
    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await asAdmin(keysPageQuery, { first: 2, after })).body.data!.apiKeys;
      forward.push(...page.edges.map((edge: any) => edge.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: any = (await asAdmin(keysPageQuery, { last: 2, before })).body.data!.apiKeys;
      backward.unshift(...page.edges.map((edge: any) => edge.node.id));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(forward).toEqual(all.edges.map((edge: any) => edge.node.id));
    expect(backward).toEqual(forward);
    expect(all.totalCount).toBe(forward.length);
  });

  it('KEY-07 a tampered cursor or an out-of-range page size is BAD_USER_INPUT', async () => {
    const tampered = await asAdmin(keysPageQuery, { first: 2, after: Buffer.from('[1,"nope"]').toString('base64url') });
    expect(tampered.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'after' }] });
    const tooMany = await asAdmin(keysPageQuery, { first: 101 });
    expect(tooMany.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'first' }] });
  });

  it('KEY-08 every key change is in the audit log with actor, IP and request id, and no secret', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { name: 'audited', scopes: ['keys:read'] });
    const rotated = await asAdmin(rotateMutation, { id: key.id, grace: 0 });
    const revoke = await asAdmin(`mutation R($id: ID!) { apiKeyRevoke(input: { id: $id }) { apiKey { id } } }`, { id: key.id });
    const audit = await asAdmin(auditQuery);
    const entries = audit.body.data!.auditLog.nodes.filter((entry: any) => entry.targetId === key.id);
    expect(entries.map((entry: any) => entry.action)).toEqual(['api_key.revoked', 'api_key.rotated', 'api_key.created']);
    expect(entries[0]).toMatchObject({ actorIp: '127.0.0.1', requestId: revoke.headers.get('x-request-id'), actor: expect.stringMatching(/^key_/) });
    const serialized = JSON.stringify(audit.body);
    expect(serialized).not.toContain(key.secret);
    expect(serialized).not.toContain(rotated.body.data!.apiKeyRotate.secret);
  });

  it('KEY-09 lastUsedAt is recorded for a key that authenticates', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] });
    await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret });
    const deadline = Date.now() + 5000;
    let lastUsedAt = null;
    while (lastUsedAt === null && Date.now() < deadline) {
      lastUsedAt = (await asAdmin(keyQuery, { id: key.id })).body.data!.apiKey.lastUsedAt;
    }
    expect(lastUsedAt).not.toBeNull();
  });

  it('KEY-10 the rotated-out secret works until its grace period ends, then is refused UNAUTHENTICATED while the new one works', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] });
    const newSecret = (await asAdmin(rotateMutation, { id: key.id, grace: 3600 })).body.data!.apiKeyRotate.secret;
    expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret })).status).toBe(200);
    const database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    try {
      // The grace period ends now: the clock is moved in the row, not waited for.
      await database.query(`update api_keys set previous_secret_expires_at = now() - interval '1 second' where id = $1`, [key.id]);
    } finally {
      await database.end();
    }
    // The cached key is read again once PostgreSQL announces the change (KEYS-02); the grace check then refuses the old secret.
    const refused = await pollUntil(
      async () => {
        const response = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret });
        return response.status === 401 && response;
      },
      { timeoutMs: 5_000, description: 'the rotated-out secret to be refused after its grace period' },
    );
    expect(refused.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    expect(refused.body.errors![0].message).toBe('Invalid API key');
    expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: newSecret })).status).toBe(200);
  });
});
