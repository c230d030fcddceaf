import { Client } from 'pg';
import { createApiKey } from '../support/api-keys';
import { postGraphQL } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { startGateway, type TestGateway } from '../support/start-gateway';

/** Reads nothing itself, so every key read is authentication's. */
const typenameQuery = /* GraphQL */ `query Typename { __typename }`;
const listenQuery = 'listen gateway_api_keys';
/** PostgreSQL delivers a notification within milliseconds of the commit; this only bounds a failure. */
const announcementTimeoutMs = 5_000;

/**
 * Keys are cached per instance while PostgreSQL announces their changes. These tests change keys
 * behind the gateway's back, as another instance or `gateway keys revoke` does: straight in SQL.
 */
describe('KEYS: a gateway caches keys, and applies changes made elsewhere once PostgreSQL announces them', () => {
  let gateway: TestGateway;
  let database: Client;
  let keyReads = 0;

  const statusOf = async (secret: string) => {
    const response = await postGraphQL(gateway.graphqlUrl, typenameQuery, {}, { secret });
    if (response.status === 500) throw new Error(JSON.stringify(response.body));
    return response.status;
  };
  const listeningBackend = async (): Promise<number | undefined> =>
    (await database.query(`select pid from pg_stat_activity where datname = current_database() and query = $1`, [listenQuery])).rows[0]?.pid;

  beforeAll(async () => {
    gateway = await startGateway();
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    const countStatement = gateway.app.orm.config.get('onQuery');
    gateway.app.orm.config.set('onQuery', (sql: string, params: unknown[]) => {
      if (/\bfrom\s+"?api_keys"?/i.test(sql)) keyReads++;
      return countStatement(sql, params);
    });
  });
  afterAll(async () => {
    await database.end();
    await gateway.stop();
  });

  it('KEYS-01 a key is read once, then served from memory', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] });
    keyReads = 0;
    for (let request = 0; request < 5; request++) expect(await statusOf(key.secret)).toBe(200);
    expect(keyReads).toBe(1);
  });

  it('KEYS-02 a revocation made elsewhere refuses the cached key once announced', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] });
    expect(await statusOf(key.secret)).toBe(200);
    await database.query('update api_keys set revoked_at = now() where id = $1', [key.id]);
    await pollUntil(async () => (await statusOf(key.secret)) === 401, { timeoutMs: announcementTimeoutMs, description: 'the revoked key to be refused' });
  });

  it('KEYS-03 PostgreSQL announces every key change but its last use', async () => {
    const [quiet, changed] = await Promise.all([1, 2].map(() => createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] })));
    const listener = new Client({ connectionString: gateway.databaseUrl });
    await listener.connect();
    try {
      const heard: string[] = [];
      listener.on('notification', (message) => heard.push(message.payload!));
      await listener.query(listenQuery);
      await database.query('update api_keys set last_used_at = now() where id = $1', [quiet.id]);
      await database.query(`update api_keys set name = 'renamed' where id = $1`, [changed.id]);
      await database.query('delete from api_keys where id = $1', [quiet.id]);
      // Notifications arrive in commit order, so once the delete's is heard the others have been.
      await pollUntil(async () => heard.length >= 2, { timeoutMs: announcementTimeoutMs, description: 'two announcements' });
      expect(heard).toEqual([changed.id, quiet.id]);
    } finally {
      await listener.end();
    }
  });

  it('KEYS-04 after its LISTEN connection is cut, the gateway listens again and still applies revocations', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] });
    expect(await statusOf(key.secret)).toBe(200);
    const before = await listeningBackend();
    expect(before).toBeDefined();
    await database.query('select pg_terminate_backend($1)', [before]);
    await pollUntil(async () => ((await listeningBackend()) ?? before) !== before, { timeoutMs: announcementTimeoutMs, description: 'a new LISTEN connection' });

    expect(await statusOf(key.secret)).toBe(200);
    await database.query('update api_keys set revoked_at = now() where id = $1', [key.id]);
    await pollUntil(async () => (await statusOf(key.secret)) === 401, { timeoutMs: announcementTimeoutMs, description: 'the revoked key to be refused' });
  });
});
