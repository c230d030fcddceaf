import { Client } from 'pg';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL, type GraphQLResponse } from '../support/graphql-client';
import { lockTable } from '../support/lock-table';
import { pollUntil } from '../support/poll-until';
import { readMetric } from '../support/read-metric';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { createTestDatabase } from '../support/test-database';

const createMutation = /* GraphQL */ `
  mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id subject } } }
`;
const pageQuery = /* GraphQL */ `query Page { conversations(first: 5) { nodes { id } } }`;

const waitingDuplicates = (gateway: TestGateway) => readMetric(gateway.url, 'gateway_idempotency_waiting_requests');
const idOf = (response: GraphQLResponse) => response.body.data?.conversationCreate?.conversation?.id;
const isReplayed = (response: GraphQLResponse) => (response.body as any).extensions?.idempotency?.replayed === true;

describe('IDEM: concurrent duplicates wait without holding database connections', () => {
  it('IDEM-07 fifty duplicates waiting on a slow first request leave a pool of 3 to an unrelated key’s reads, then all replay its id', async () => {
    // A long wait: duplicates that held a connection while waiting would starve the reads past the pool's acquire timeout.
    const gateway = await startGateway({ env: { DATABASE_POOL_SIZE: '3', IDEMPOTENCY_WAIT: '60s' } });
    const writes = await lockTable(gateway.databaseUrl, 'conversations', 'share');
    try {
      const neighbour = await createWorkspaceKey(gateway, 'neighbour', ['conversations:read']);
      const input = { subject: 'Retried hard', channel: 'API', idempotencyKey: 'idem-07' };
      const send = () => postGraphQL(gateway.graphqlUrl, createMutation, { input }, { secret: gateway.adminSecret });
      // Given a first request whose insert waits on a lock while it holds the key
      const first = send();
      await writes.waitUntilBlocked(1);
      // And fifty duplicates waiting for it
      const duplicates = Array.from({ length: 50 }, send);
      await pollUntil(async () => (await waitingDuplicates(gateway)) === 50, { timeoutMs: 10_000, description: '50 duplicates waiting' });

      // When an unrelated key reads meanwhile
      const reads = await Promise.all(Array.from({ length: 20 }, () => postGraphQL(gateway.graphqlUrl, pageQuery, {}, { secret: neighbour.secret })));

      // Then every read is answered while the duplicates still wait
      expect(reads.map((read) => [read.status, read.body.errors])).toEqual(Array(20).fill([200, undefined]));
      expect(await waitingDuplicates(gateway)).toBe(50);
      // And once the first is done, every duplicate replays its id
      await writes.release();
      const created = await first;
      expect(created.body.errors).toBeUndefined();
      const replays = await Promise.all(duplicates);
      expect(replays.map((replay) => [replay.status, replay.body.errors, idOf(replay), isReplayed(replay)])).toEqual(Array(50).fill([200, undefined, idOf(created), true]));
      const database = new Client({ connectionString: gateway.databaseUrl });
      await database.connect();
      const { rows } = await database.query(`select (select count(*) from conversations where subject = 'Retried hard')::int as conversations, (select count(*) from events where data->'conversation'->>'id' = $1)::int as events`, [idOf(created)]);
      await database.end();
      expect(rows[0]).toEqual({ conversations: 1, events: 1 });
      expect(await waitingDuplicates(gateway)).toBe(0);
    } finally {
      await writes.release();
      await gateway.stop();
    }
  }, 60_000);

  it('IDEM-08 a duplicate sent to another instance waits for the first there and replays it', async () => {
    const database = await createTestDatabase();
    const instanceA = await startGateway({ database });
    const instanceB = await startGateway({ database });
    const writes = await lockTable(database.url, 'conversations', 'share');
    try {
      const input = { subject: 'Two instances', channel: 'API', idempotencyKey: 'idem-08' };
      const sendTo = (gateway: TestGateway) => postGraphQL(gateway.graphqlUrl, createMutation, { input }, { secret: instanceA.adminSecret });
      const first = sendTo(instanceA);
      await writes.waitUntilBlocked(1);

      const duplicate = sendTo(instanceB);
      await pollUntil(async () => (await waitingDuplicates(instanceB)) === 1, { timeoutMs: 10_000, description: 'the duplicate waiting on instance B' });
      await writes.release();

      const [created, replayed] = await Promise.all([first, duplicate]);
      expect(replayed.body.errors).toBeUndefined();
      expect(idOf(replayed)).toBe(idOf(created));
      expect(isReplayed(replayed)).toBe(true);
    } finally {
      await writes.release();
      await instanceB.stop();
      await instanceA.stop();
      await database.drop();
    }
  });

  it('IDEM-09 a request that finds the pool exhausted is answered 503 with Retry-After and isRetryable, never a bare 500', async () => {
    // Statements outlast the pool's 10 s acquire timeout rather than race it.
    const gateway = await startGateway({ env: { DATABASE_POOL_SIZE: '2', STATEMENT_TIMEOUT: '60s' } });
    const writes = await lockTable(gateway.databaseUrl, 'conversations', 'share');
    try {
      // Given both connections held by writes waiting on a lock
      const stuck = ['idem-09-a', 'idem-09-b'].map((idempotencyKey) =>
        postGraphQL(gateway.graphqlUrl, createMutation, { input: { subject: 'Stuck', channel: 'API', idempotencyKey } }, { secret: gateway.adminSecret }),
      );
      await writes.waitUntilBlocked(2);

      // When a read needs a connection, then it is told to retry
      const read = await postGraphQL(gateway.graphqlUrl, pageQuery, {}, { secret: gateway.adminSecret });

      expect(read.status).toBe(503);
      expect(read.headers.get('retry-after')).toBe('1');
      expect(read.body.errors![0].extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', isRetryable: true });
      await writes.release();
      await Promise.all(stuck);
    } finally {
      await writes.release();
      await gateway.stop();
    }
  }, 30_000);
});
