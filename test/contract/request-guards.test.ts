import { entities } from '../../src/server/entities';
import { applyMigrations, connectOrm } from '../../src/platform/database/orm';
import { postGraphQL } from '../support/graphql-client';
import { lockTable } from '../support/lock-table';
import { pollUntil } from '../support/poll-until';
import { readMetric } from '../support/read-metric';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { createTestDatabase } from '../support/test-database';

const createMutation = /* GraphQL */ `
  mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id } } }
`;
const viewerAndPageQuery = /* GraphQL */ `query ViewerAndPage { viewer { scopes } conversations(first: 5) { nodes { id } } }`;
/** The page, then one batch per relation: 4 statements when it runs to the end. */
const pageWithRelationsQuery = /* GraphQL */ `
  query PageWithRelations { conversations(first: 10) { nodes { id customer { id } assignee { id } lastMessage { id } } } }
`;
const subjectsQuery = /* GraphQL */ `query Subjects { conversations(first: 50) { nodes { id subject } } }`;

describe('GUARD: per-request guards on database time, abandoned requests and response size', () => {
  let gateway: TestGateway;
  const logLines: string[] = [];
  beforeAll(async () => {
    // A second is plenty for any statement of these tests that is not held up on purpose.
    gateway = await startGateway({ env: { STATEMENT_TIMEOUT: '1s', MAX_RESPONSE_BYTES: '2048', WEBHOOK_POLL_INTERVAL: '1h' }, logLines });
    for (let index = 0; index < 20; index++) {
      const input = { subject: `Guarded conversation number ${index} with a subject long enough to add up`, channel: 'EMAIL', customer: { email: `guard${index}@example.com` } };
      await postGraphQL(gateway.graphqlUrl, createMutation, { input }, { secret: gateway.adminSecret });
    }
  });
  afterAll(() => gateway.stop());

  const asAdmin = (query: string) => postGraphQL(gateway.graphqlUrl, query, {}, { secret: gateway.adminSecret });

  it('GUARD-01 a statement running past STATEMENT_TIMEOUT is QUERY_TIMEOUT with timeoutMs, not retryable and without SQL, and sibling fields stand', async () => {
    const reads = await lockTable(gateway.databaseUrl, 'conversations', 'access exclusive');
    try {
      const response = await asAdmin(viewerAndPageQuery);

      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ viewer: { scopes: expect.arrayContaining(['admin']) }, conversations: null });
      expect(response.body.errors).toHaveLength(1);
      const [error] = response.body.errors!;
      expect(error.path).toEqual(['conversations']);
      expect(error.extensions).toEqual({ code: 'QUERY_TIMEOUT', timeoutMs: 1000, requestId: expect.any(String) });
      expect(error.message).not.toMatch(/select|from|conversations|statement/i);
      expect(response.headers.get('retry-after')).toBeNull();
    } finally {
      await reads.release();
    }
  });

  it('GUARD-02 migrations run without the API’s statement timeout', async () => {
    const database = await createTestDatabase();
    const orm = await connectOrm({ databaseUrl: database.url, entities, connectTimeoutMs: 2000, statementTimeoutMs: 200, poolSize: 2 });
    try {
      await applyMigrations(orm);
      const migrationsTable = await lockTable(database.url, 'mikro_orm_migrations', 'access exclusive');
      const again = applyMigrations(orm);
      // Held well past the pool's 200 ms, measured by PostgreSQL's own clock
      await pollUntil(
        async () => (await orm.em.fork().execute<{ held: boolean }[]>(
          `select exists (select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and now() - query_start > interval '600 milliseconds') as held`,
        ))[0].held,
        { timeoutMs: 5000, description: 'the migrations check to wait 600 ms on the lock' },
      );
      await migrationsTable.release();

      await expect(again).resolves.toEqual([]);
    } finally {
      await orm.close(true);
      await database.drop();
    }
  });

  it('GUARD-03 a request whose client disconnects starts no further statement', async () => {
    const finished = () => readMetric(gateway.url, 'gateway_graphql_requests_total', { operation: 'PageWithRelations', outcome: 'CLIENT_CLOSED_REQUEST' });
    const completed = await asAdmin(pageWithRelationsQuery);
    expect(completed.body.errors).toBeUndefined();
    const reads = await lockTable(gateway.databaseUrl, 'conversations', 'access exclusive');
    const statementsBefore = await readMetric(gateway.url, 'gateway_sql_statements_total');
    const client = new AbortController();
    try {
      // Given a request whose page statement waits on a lock
      const request = fetch(gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.adminSecret}` },
        body: JSON.stringify({ query: pageWithRelationsQuery }),
        signal: client.signal,
      }).catch(() => undefined);
      await reads.waitUntilBlocked(1);

      // When its client goes away, and the statement then completes
      client.abort();
      await request;
      await pollUntil(async () => logLines.some((line) => line.includes('client closed the request')), { timeoutMs: 5000, description: 'the gateway to notice the disconnect' });
      await reads.release();

      // Then the relations' three batches are never sent
      await pollUntil(async () => (await finished()) === 1, { timeoutMs: 5000, description: 'the abandoned request to finish' });
      expect((await readMetric(gateway.url, 'gateway_sql_statements_total')) - statementsBefore).toBe(1);
    } finally {
      await reads.release();
    }
  });

  it('GUARD-04 a result over MAX_RESPONSE_BYTES is replaced by RESPONSE_TOO_LARGE with maxBytes; smaller ones pass', async () => {
    const small = await asAdmin(`{ conversations(first: 2) { nodes { id } } }`);
    expect(small.body.data!.conversations.nodes).toHaveLength(2);

    const large = await asAdmin(subjectsQuery);

    expect(large.status).toBe(400);
    expect(large.body.data).toBeUndefined();
    expect(large.body.errors).toEqual([
      { message: expect.any(String), extensions: { code: 'RESPONSE_TOO_LARGE', maxBytes: 2048, requestId: large.headers.get('x-request-id') } },
    ]);
  });
});
